package main

import (
	"context"
	"encoding/xml"
	"fmt"
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
			Usage:     "print a systemd user unit, a launchd agent plist, or a crontab line",
			ArgsUsage: "systemd|launchd|cron",
			Action: func(_ context.Context, cmd *cli.Command) error {
				kind := cmd.Args().First()
				tmpl, ok := serviceTemplates[kind]
				if !ok || cmd.Args().Len() != 1 {
					return &usageError{msg: "service print takes one of: systemd, launchd, cron"}
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
				funcs := template.FuncMap{"cron": cronQuote, "systemd": systemdQuote, "xml": xmlEscape}
				return template.Must(template.New(kind).Funcs(funcs).Parse(tmpl)).Execute(cmd.Root().Writer,
					map[string]any{"Bin": bin, "Args": args})
			},
		}},
	}
}

// serviceTemplates never daemonize credgen: the service manager keeps it
// running and sends HUP to reload.
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
