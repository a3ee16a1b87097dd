export TOKEN='eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_+/='
export SINGLE_QUOTE='it'\''s '\''quoted'\'''
export DOUBLE_QUOTE='say "hi"'
export NEWLINES='line one
line two

last'
export BACKSLASHES='a\b\\c\'\''d\"e\n'
export DOLLARS='$HOME $(id) `id` $$ %PATH%'
export NON_ASCII='pässwörd ✓ 日本語 🔑'
export TYPOGRAPHIC_QUOTES='‘left’ ‚low‛ “double”'
export EMPTY=''
export SPACES='  leading and trailing  '
export HASH='a #not-a-comment'
export URL='https://acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/plugins/'
