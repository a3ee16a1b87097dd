package masking

import "testing"

func TestSecretName(t *testing.T) {
	for key, want := range map[string]bool{
		"password": true, "PASSWORD": true, "db_passwd": true, "access-token": true, "clientSecret": true,
		"api_key": true, "apikey": true, "auth": true, "http-basic-auth": true, "pass": true, "key": true,
		"index-url": false, "extra-index-url": false, "trusted-host": false, "proxy": false, "keyring-provider": false,
		"name": false, "url": false, "authenticate": false, "author": false, "Authorization": true, "default": false, "timeout": false, "passenger": false, "cert": false,
	} {
		if got := SecretName(key); got != want {
			t.Errorf("SecretName(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:Pw-1@h.example/simple/":    "https://u:****@h.example/simple/",
		"https://TOKEN@h.example/simple/":     "https://****@h.example/simple/",
		"https://h.example/simple/":           "https://h.example/simple/",
		"http://alice:Pr0xyPassw0rd@p:3128":   "http://alice:****@p:3128",
		"alice:Pr0xyPassw0rd@proxy.corp:3128": "alice:****@proxy.corp:3128",
		"joe@example.com":                     "joe@example.com",
		"plain":                               "plain",
	} {
		checkMapping(t, "URL", URL, in, want)
	}
}

func checkMapping(t *testing.T, name string, fn func(string) string, in, want string) {
	t.Helper()
	if got := fn(in); got != want {
		t.Errorf("%s(%q) = %q, want %q", name, in, got, want)
	}
}

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		" old index-url = https://u:Tok3n@h.example/simple/": " old index-url = https://u:****@h.example/simple/",
		" token: Tok3n-abc":        " token: ****",
		" token = Tok3n-abc rest":  " token = **** rest",
		" password=hunter2!X":      " password=****",
		" my password is hunter2":  " my password **** hunter2",
		"\tpassword\t\"a b\"\r":    "\tpassword\t**** b\"\r",
		" nothing to hide here":    " nothing to hide here",
		" a secret word follows":   " a secret **** follows",
		" an extra key uv ignores": " an extra key uv ignores",
		" key=abc pat: def":        " key=**** pat: ****",
		"":                         "",
		"  ":                       "  ",
		" proxy u:Pw@proxy:3128 ;": " proxy u:****@proxy:3128 ;",
	} {
		checkMapping(t, "Text", Text, in, want)
	}
}
