$Env:TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_+/='
$Env:SINGLE_QUOTE = 'it''s ''quoted'''
$Env:DOUBLE_QUOTE = 'say "hi"'
$Env:NEWLINES = 'line one
line two

last'
$Env:BACKSLASHES = 'a\b\\c\''d\"e\n'
$Env:DOLLARS = '$HOME $(id) `id` $$ %PATH%'
$Env:NON_ASCII = 'pässwörd ✓ 日本語 🔑'
$Env:TYPOGRAPHIC_QUOTES = '‘‘left’’ ‚‚low‛‛ “double”'
$Env:EMPTY = ''
$Env:SPACES = '  leading and trailing  '
$Env:HASH = 'a #not-a-comment'
$Env:URL = 'https://acme-111122223333.d.codeartifact.eu-west-1.amazonaws.com/pypi/plugins/'
