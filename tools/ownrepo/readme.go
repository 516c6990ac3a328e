package ownrepo

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// A step is what the section asks for next: a file to write, or shell
// lines to run.
type step struct {
	path  string   // the file a Go block is, named on the line before it
	text  string   // the file's content
	shell []string // the lines of a sh block
}

var fileLine = regexp.MustCompile("^`([^`]+)`:$")

// steps returns the steps of the README section titled heading.
func steps(readme, heading string) ([]step, error) {
	start := strings.Index(readme, "\n"+heading+"\n")
	if start < 0 {
		return nil, fmt.Errorf("no section %q", heading)
	}
	section := readme[start+len(heading)+2:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var out []step
	lines := strings.Split(section, "\n")
	for i := 0; i < len(lines); i++ {
		lang, ok := strings.CutPrefix(lines[i], "```")
		if !ok || lang == "" {
			continue
		}
		j := i + 1
		for j < len(lines) && lines[j] != "```" {
			j++
		}
		if j == len(lines) {
			return nil, errors.New("a code block is not closed")
		}
		body := lines[i+1 : j]
		switch lang {
		case "sh":
			out = append(out, step{shell: body})
		case "go":
			m := fileLine.FindStringSubmatch(previousText(lines, i))
			if m == nil {
				return nil, fmt.Errorf("the go block at line %d of the section is not preceded by its file name (`path`:)", i+1)
			}
			out = append(out, step{path: m[1], text: strings.Join(body, "\n") + "\n"})
		default:
			return nil, fmt.Errorf("a %s block: the test knows sh and go blocks only", lang)
		}
		i = j
	}
	return out, nil
}

// previousText returns the last non-empty line before line i.
func previousText(lines []string, i int) string {
	for i--; i >= 0; i-- {
		if strings.TrimSpace(lines[i]) != "" {
			return lines[i]
		}
	}
	return ""
}

var waitLine = regexp.MustCompile(`^# when .* has logged "([^"]+)"`)

// waitFor returns what a shell comment line says to wait for in the
// output before going on ("# when the notifier has logged "X", ..."), or
// "".
func waitFor(line string) string {
	if m := waitLine.FindStringSubmatch(line); m != nil {
		return m[1]
	}
	return ""
}
