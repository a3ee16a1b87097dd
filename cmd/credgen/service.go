package main

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/urfave/cli/v3"
)

func serviceCommand() *cli.Command {
	return &cli.Command{
		Name:  "service",
		Usage: "print a service definition that runs credgen in the background",
		Commands: []*cli.Command{{
			Name:      "print",
			Usage:     "print a systemd user unit, a launchd agent plist, a crontab line, or a Windows scheduled task",
			ArgsUsage: "systemd|launchd|cron|windows",
			Action: func(_ context.Context, cmd *cli.Command) error {
				kind := cmd.Args().First()
				if _, ok := serviceTemplates[kind]; !ok || cmd.Args().Len() != 1 {
					return &usageError{msg: "service print takes one of: systemd, launchd, cron, windows"}
				}
				bin, err := os.Executable()
				if err != nil {
					return fmt.Errorf("find credgen's own path: %w", err)
				}
				if real, err := filepath.EvalSymlinks(bin); err == nil {
					bin = real
				}
				// A --config given here goes into the service, which would
				// otherwise read the default config.
				var args []string
				if c := cmd.Root().String("config"); c != "" {
					abs, err := filepath.Abs(c)
					if err != nil {
						return fmt.Errorf("config path %s: %w", c, err)
					}
					args = append(args, "--config", abs)
				}
				return printService(cmd.Root().Writer, kind, bin, args)
			},
		}},
	}
}

// printService writes the service definition of kind that runs bin with
// the global args before its command.
func printService(w io.Writer, kind, bin string, args []string) error {
	funcs := template.FuncMap{"cron": cronQuote, "systemd": systemdQuote, "xml": xmlEscape, "windowsArgs": windowsArgs}
	return template.Must(template.New(kind).Funcs(funcs).Parse(serviceTemplates[kind])).Execute(w,
		map[string]any{"Bin": bin, "Args": args})
}

// serviceTemplates never daemonize credgen: the service manager keeps it
// running and sends HUP to reload. Windows has no such signal, so there Task
// Scheduler runs `credgen write` every 10 minutes instead of a watch.
var serviceTemplates = map[string]string{
	"systemd": `# ~/.config/systemd/user/credgen.service
# systemctl --user daemon-reload && systemctl --user enable --now credgen
[Unit]
Description=credgen: keep pip, uv and netrc credentials fresh
After=network-online.target

[Service]
ExecStart={{systemd .Bin}}{{range .Args}} {{systemd .}}{{end}} watch
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
RestartSec=10

[Install]
WantedBy=default.target
`,
	"launchd": `<?xml version="1.0" encoding="UTF-8"?>
<!-- ~/Library/LaunchAgents/dev.credgen.watch.plist
     launchctl bootstrap gui/$(id -u) ~/Library/LaunchAgents/dev.credgen.watch.plist -->
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>dev.credgen.watch</string>
  <key>ProgramArguments</key>
  <array>
    <string>{{xml .Bin}}</string>{{range .Args}}
    <string>{{xml .}}</string>{{end}}
    <string>watch</string>
  </array>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <true/>
  <key>StandardErrorPath</key>
  <string>/tmp/credgen-watch.log</string>
</dict>
</plist>
`,
	"cron": `# crontab -e: refresh every 10 minutes; quiet unless something is wrong
*/10 * * * * {{cron .Bin}}{{range .Args}} {{cron .}}{{end}} --log-level warn write
`,
	// No encoding in the declaration: schtasks then takes the file as
	// UTF-16 when it starts with a byte-order mark (PowerShell 5's ">")
	// and as UTF-8 otherwise. No logon trigger: one without a user needs an
	// administrator to register, and StartWhenAvailable covers a late start.
	"windows": `<?xml version="1.0"?>
<!-- Save as credgen.xml, then: schtasks /Create /TN credgen /XML credgen.xml
     Runs "credgen write" every 10 minutes while you are logged on, and
     at once after a run was missed (the machine was off or asleep). -->
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>credgen: keep pip, uv and netrc credentials fresh</Description>
    <URI>\credgen</URI>
  </RegistrationInfo>
  <Triggers>
    <TimeTrigger>
      <StartBoundary>2000-01-01T00:00:00</StartBoundary>
      <Enabled>true</Enabled>
      <Repetition>
        <Interval>PT10M</Interval>
        <StopAtDurationEnd>false</StopAtDurationEnd>
      </Repetition>
    </TimeTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>true</RunOnlyIfNetworkAvailable>
    <ExecutionTimeLimit>PT5M</ExecutionTimeLimit>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>{{xml .Bin}}</Command>
      <Arguments>{{xml (windowsArgs .Args "--log-level" "warn" "write")}}</Arguments>
    </Exec>
  </Actions>
</Task>
`,
}

// cronQuote quotes s for a crontab line: for sh, which runs it, when it
// needs it, and with % escaped (cron turns a bare % into a newline).
func cronQuote(s string) string {
	if s == "" || strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=") != "" {
		s = "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return strings.ReplaceAll(s, "%", `\%`)
}

// systemdQuote quotes s for an ExecStart= line when it needs it.
func systemdQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"'\\$%;") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", "$$", "%", "%%")
	return `"` + r.Replace(s) + `"`
}

// xmlEscape escapes s for a plist <string>.
func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// windowsArgs joins args into one Windows command line, quoted so that
// CommandLineToArgvW, which Go programs use to split it, gives them back:
// backslashes are literal except before a quote.
func windowsArgs(args []string, more ...string) string {
	quoted := make([]string, 0, len(args)+len(more))
	for _, a := range append(append([]string{}, args...), more...) {
		quoted = append(quoted, windowsArg(a))
	}
	return strings.Join(quoted, " ")
}

func windowsArg(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n\v\"") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for _, c := range s {
		switch c {
		case '\\':
			slashes++
			continue
		case '"':
			b.WriteString(strings.Repeat(`\`, 2*slashes+1))
		default:
			b.WriteString(strings.Repeat(`\`, slashes))
		}
		slashes = 0
		b.WriteRune(c)
	}
	b.WriteString(strings.Repeat(`\`, 2*slashes))
	b.WriteByte('"')
	return b.String()
}
