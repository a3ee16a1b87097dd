// Package keyringcli speaks the command-line protocol of Python's keyring
// (version 25.2 and later), which uv and pip run as a "subprocess keyring
// provider": the argument grammar, the output formats, finding the next
// `keyring` on PATH and handing a call over to it, and installing the link
// that makes a program answer as `keyring`, and answering one whole call
// (Call) from a Source.
//
// The grammar is keyring's argparse parser: options may stand before, between
// or after the positionals, long options take `--opt value` or `--opt=value`
// and may be abbreviated to an unambiguous prefix, and errors exit 2 with a
// usage line, as argparse does. pip before 26.2 and uv with a username run
// `keyring get SERVICE USERNAME`; uv without one runs
// `keyring get SERVICE --mode creds`; pip 26.2 and later run
// `keyring --mode=creds --output=json get SERVICE [USERNAME]`.
package keyringcli

import (
	"fmt"
	"slices"
	"strings"
)

// Operations keyring's command line knows, in its order.
const (
	OpGet      = "get"
	OpSet      = "set"
	OpDel      = "del"
	OpDiagnose = "diagnose"
)

var operations = []string{OpGet, OpSet, OpDel, OpDiagnose}

// Values of --mode and --output.
const (
	ModePassword = "password" // the password alone (the default)
	ModeCreds    = "creds"    // the username, then the password
	OutputPlain  = "plain"    // one value per line (the default)
	OutputJSON   = "json"     // one JSON object, as Python's json.dumps writes it
)

var (
	modes   = []string{ModePassword, ModeCreds}
	outputs = []string{OutputPlain, OutputJSON}
)

// Request is one parsed keyring command line.
type Request struct {
	Operation    string // "" when none was given
	Service      string
	Username     string
	HasService   bool
	HasUsername  bool // an empty USERNAME argument still counts as given
	Mode         string
	Output       string
	Backend      string // -b/--keyring-backend: a Python backend to load
	BackendPath  string // -p/--keyring-path: where to find it
	ListBackends bool
	Disable      bool
	Help         bool
}

// UsageError is a command line keyring's parser rejects: argparse prints
// the usage line and "keyring: error: MSG" on stderr and exits 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// option is one of keyring's optional arguments.
type option struct {
	long    string
	short   string   // "" when it has none
	value   bool     // takes a value
	choices []string // allowed values, nil for any
	set     func(r *Request, v string)
}

var options = []option{
	{long: "--help", short: "-h", set: func(r *Request, _ string) { r.Help = true }},
	{long: "--keyring-path", short: "-p", value: true, set: func(r *Request, v string) { r.BackendPath = v }},
	{long: "--keyring-backend", short: "-b", value: true, set: func(r *Request, v string) { r.Backend = v }},
	{long: "--list-backends", set: func(r *Request, _ string) { r.ListBackends = true }},
	{long: "--disable", set: func(r *Request, _ string) { r.Disable = true }},
	{long: "--mode", value: true, choices: modes, set: func(r *Request, v string) { r.Mode = v }},
	{long: "--output", value: true, choices: outputs, set: func(r *Request, v string) { r.Output = v }},
}

// Parse reads a keyring command line (without the program name) as keyring's
// parser does, then checks what keyring checks before it acts: get, set and
// del need a SERVICE, and a USERNAME too unless get runs with --mode creds.
// A help request stops at once with Request.Help set, as argparse's -h does.
//
// One liberty: a USERNAME after an option that follows SERVICE
// (`get SVC --mode creds USER`) is taken, as newer Pythons' argparse takes it.
func Parse(args []string) (Request, error) {
	r := Request{Mode: ModePassword, Output: OutputPlain}
	var positionals, extras []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			positionals = append(positionals, args[i+1:]...)
			break
		}
		if !looksLikeOption(arg) {
			positionals = append(positionals, arg)
			continue
		}
		opt, inline, hasInline, err := findOption(arg)
		if err != nil {
			return r, err
		}
		if opt == nil {
			extras = append(extras, arg)
			continue
		}
		value := ""
		switch {
		case !opt.value && hasInline:
			return r, &UsageError{Msg: fmt.Sprintf("argument %s: ignored explicit argument %q", optionNames(opt), inline)}
		case opt.value && hasInline:
			value = inline
		case opt.value:
			if i+1 >= len(args) || looksLikeOption(args[i+1]) || args[i+1] == "--" {
				return r, &UsageError{Msg: fmt.Sprintf("argument %s: expected one argument", optionNames(opt))}
			}
			i++
			value = args[i]
		}
		if opt.choices != nil && !slices.Contains(opt.choices, value) {
			return r, &UsageError{Msg: fmt.Sprintf("argument %s: invalid choice: %q (choose from %s)", optionNames(opt), value, strings.Join(opt.choices, ", "))}
		}
		opt.set(&r, value)
		if r.Help {
			return r, nil
		}
	}
	if err := assignPositionals(&r, positionals, &extras); err != nil {
		return r, err
	}
	if len(extras) > 0 {
		return r, &UsageError{Msg: "unrecognized arguments: " + strings.Join(extras, " ")}
	}
	return r, checkRequired(r)
}

// looksLikeOption is argparse's test: a word that starts with "-" and is
// more than "-" alone (keyring defines no option that looks like a number,
// so "-1" is an option word too, and unrecognised).
func looksLikeOption(arg string) bool {
	return len(arg) > 1 && arg[0] == '-'
}

// findOption resolves an option word: an exact name, "--name=value", an
// unambiguous prefix of a long name, or a short option with its value
// attached ("-bNAME", "-b=NAME"). An unknown word gives a nil option and no
// error (argparse collects those as "unrecognized arguments").
func findOption(arg string) (opt *option, inline string, hasInline bool, err error) {
	name := arg
	if k := strings.IndexByte(arg, '='); k >= 0 {
		name, inline, hasInline = arg[:k], arg[k+1:], true
	}
	if strings.HasPrefix(arg, "--") {
		var matches []*option
		for i := range options {
			o := &options[i]
			if o.long == name {
				return o, inline, hasInline, nil
			}
			if strings.HasPrefix(o.long, name) {
				matches = append(matches, o)
			}
		}
		switch len(matches) {
		case 0:
			return nil, inline, hasInline, nil
		case 1:
			return matches[0], inline, hasInline, nil
		}
		longs := make([]string, len(matches))
		for i, m := range matches {
			longs[i] = m.long
		}
		return nil, "", false, &UsageError{Msg: fmt.Sprintf("ambiguous option: %s could match %s", name, strings.Join(longs, ", "))}
	}
	short := arg[:2]
	for i := range options {
		o := &options[i]
		if o.short != short {
			continue
		}
		rest := arg[2:]
		if rest == "" {
			return o, "", false, nil
		}
		return o, strings.TrimPrefix(rest, "="), true, nil
	}
	return nil, "", false, nil
}

func optionNames(o *option) string {
	if o.short != "" {
		return o.short + "/" + o.long
	}
	return o.long
}

// assignPositionals fills operation, SERVICE and USERNAME in that order; a
// fourth word is unrecognised.
func assignPositionals(r *Request, positionals []string, extras *[]string) error {
	for i, p := range positionals {
		switch i {
		case 0:
			if !slices.Contains(operations, p) {
				return &UsageError{Msg: fmt.Sprintf("argument operation: invalid choice: %q (choose from %s)", p, strings.Join(operations, ", "))}
			}
			r.Operation = p
		case 1:
			r.Service, r.HasService = p, true
		case 2:
			r.Username, r.HasUsername = p, true
		default:
			*extras = append(*extras, p)
		}
	}
	return nil
}

// checkRequired is keyring's own check after parsing; diagnose and the
// listing options need nothing.
func checkRequired(r Request) error {
	if r.ListBackends || r.Disable || r.Operation == OpDiagnose {
		return nil
	}
	if r.Operation == "" {
		return &UsageError{Msg: fmt.Sprintf("Specify operation (%s).", strings.Join(operations, ", "))}
	}
	needsUsername := r.Operation != OpGet || r.Mode != ModeCreds
	switch {
	case !r.HasService && needsUsername:
		return &UsageError{Msg: r.Operation + " requires service and username"}
	case !r.HasService:
		return &UsageError{Msg: r.Operation + " requires service"}
	case needsUsername && !r.HasUsername:
		return &UsageError{Msg: r.Operation + " requires service and username"}
	}
	return nil
}

// Usage is the usage line argparse prints above an error and atop the help.
const Usage = "usage: keyring [-h] [-p KEYRING_PATH] [-b KEYRING_BACKEND] [--list-backends]\n" +
	"               [--disable] [--mode {password,creds}] [--output {plain,json}]\n" +
	"               [{get,set,del,diagnose}] [service] [username]\n"
