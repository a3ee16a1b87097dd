package mendacloud

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseModes reads a mode file, one endpoint per line (an endpoint not named
// serves normally; "#" starts a comment line):
//
//	oauth    ok
//	registry 401 | 403 | 500 | <any status>
//	registry 429 [retry-after=SECONDS]
//	registry slow DURATION           (e.g. slow 3s)
//	registry invalid-json
//	registry wrong-content-type
//	registry fail-next N STATUS      (the next N calls answer STATUS)
func ParseModes(text string) (map[Endpoint]Fault, error) {
	modes := map[Endpoint]Fault{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for line := 1; sc.Scan(); line++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		ep := Endpoint(fields[0])
		if ep != OAuth && ep != Registry {
			return nil, fmt.Errorf("line %d: endpoint %q is neither %q nor %q", line, fields[0], OAuth, Registry)
		}
		if len(fields) < 2 {
			return nil, fmt.Errorf("line %d: %s needs a mode", line, ep)
		}
		f, err := ParseFault(fields[1:])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		modes[ep] = f
	}
	return modes, sc.Err()
}

// ParseFault reads one mode and its arguments, as in a mode file.
func ParseFault(args []string) (Fault, error) {
	mode, rest := args[0], args[1:]
	want := func(n int) error {
		if len(rest) != n {
			return fmt.Errorf("%s takes %d argument(s)", mode, n)
		}
		return nil
	}
	switch mode {
	case "ok":
		return Fault{}, want(0)
	case "invalid-json":
		return Fault{InvalidJSON: true}, want(0)
	case "wrong-content-type":
		return Fault{WrongContentType: true}, want(0)
	case "slow":
		if err := want(1); err != nil {
			return Fault{}, err
		}
		d, err := time.ParseDuration(rest[0])
		return Fault{Delay: d}, err
	case "fail-next":
		if err := want(2); err != nil {
			return Fault{}, err
		}
		n, errN := strconv.Atoi(rest[0])
		status, errS := parseStatus(rest[1])
		if errN != nil || n < 1 || errS != nil {
			return Fault{}, fmt.Errorf("fail-next wants a count and a status, got %q", strings.Join(rest, " "))
		}
		return Fault{Status: status, Times: n}, nil
	}
	status, err := parseStatus(mode)
	if err != nil {
		return Fault{}, fmt.Errorf("unknown mode %q", mode)
	}
	f := Fault{Status: status}
	for _, arg := range rest {
		v, ok := strings.CutPrefix(arg, "retry-after=")
		if !ok {
			return Fault{}, fmt.Errorf("unknown argument %q", arg)
		}
		f.RetryAfter = v
	}
	return f, nil
}

func parseStatus(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 599 {
		return 0, fmt.Errorf("%q is not an HTTP status", s)
	}
	return n, nil
}
