set -gx TOKEN 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_+/='
set -gx SINGLE_QUOTE 'it\'s \'quoted\''
set -gx DOUBLE_QUOTE 'say "hi"'
set -gx NEWLINES 'line one
line two

last'
set -gx BACKSLASHES 'a\\b\\\\c\\\'d\\"e\\n'
set -gx DOLLARS '$HOME $(id) `id` $$ %PATH%'
set -gx NON_ASCII 'pässwörd ✓ 日本語 🔑'
set -gx TYPOGRAPHIC_QUOTES '‘left’ ‚low‛ “double”'
set -gx EMPTY ''
set -gx SPACES '  leading and trailing  '
set -gx HASH 'a #not-a-comment'
set -gx URL 'https://acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/plugins/'
