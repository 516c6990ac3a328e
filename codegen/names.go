package codegen

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// initialisms are the words Go spells in capitals (the list of golint).
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DNS": true, "EOF": true,
	"GUID": true, "HTML": true, "HTTP": true, "HTTPS": true, "ID": true, "IP": true, "JSON": true,
	"LHS": true, "QPS": true, "RAM": true, "RHS": true, "RPC": true, "SLA": true, "SMTP": true,
	"SQL": true, "SSH": true, "TCP": true, "TLS": true, "TTL": true, "UDP": true, "UI": true,
	"UID": true, "UUID": true, "URI": true, "URL": true, "UTF8": true, "VM": true, "XML": true,
	"XMPP": true, "XSRF": true, "XSS": true,
}

// splitWords splits an Avro name into words: at '_', '-', '.', at a lower
// case letter or digit followed by an upper case one, and before the last
// capital of a run of capitals followed by a lower case letter
// ("HTTPServer" is "HTTP", "Server").
func splitWords(name string) []string {
	var words []string
	runes := []rune(name)
	start := 0
	flush := func(end int) {
		if end > start {
			words = append(words, string(runes[start:end]))
		}
		start = end
	}
	for i, r := range runes {
		switch {
		case r == '_' || r == '-' || r == '.':
			flush(i)
			start = i + 1
		case i > start && unicode.IsUpper(r):
			prev := runes[i-1]
			nextLower := i+1 < len(runes) && unicode.IsLower(runes[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || unicode.IsUpper(prev) && nextLower {
				flush(i)
			}
		}
	}
	flush(len(runes))
	return words
}

// goName returns the exported Go identifier for an Avro name: "cafe_id" is
// "CafeID", "url" "URL", "DeadlinePassed" itself, "SPADES" "Spades".
func goName(name string) string {
	var b strings.Builder
	for _, w := range splitWords(name) {
		up := strings.ToUpper(w)
		switch {
		case initialisms[up]:
			b.WriteString(up)
		case w == up && utf8.RuneCountInString(w) > 1:
			// A word in capitals that is not an initialism: "SPADES".
			r, n := utf8.DecodeRuneInString(w)
			b.WriteRune(r)
			b.WriteString(strings.ToLower(w[n:]))
		default:
			r, n := utf8.DecodeRuneInString(w)
			b.WriteRune(unicode.ToUpper(r))
			b.WriteString(w[n:])
		}
	}
	s := b.String()
	if r, _ := utf8.DecodeRuneInString(s); s == "" || !unicode.IsLetter(r) {
		s = "X" + s
	}
	return s
}

// lowerFirst returns id with its first word in lower case: "DeadlinePassed"
// gives "deadlinePassed", "URLMap" "urlMap".
func lowerFirst(id string) string {
	runes := []rune(id)
	n := 0
	for n < len(runes) && unicode.IsUpper(runes[n]) {
		n++
	}
	switch {
	case n == 0:
		return id
	case n == 1 || n == len(runes):
		n = min(n, len(runes))
	default:
		n-- // "URLMap": the M starts the next word.
	}
	return strings.ToLower(string(runes[:n])) + string(runes[n:])
}

// reservedLocals are the names generated methods use for locals; a receiver
// never takes one of them.
var reservedLocals = map[string]bool{"i": true, "k": true, "n": true, "r": true, "v": true}

// receiverName returns the receiver name of methods on a Go type.
func receiverName(typeName string) string {
	r, _ := utf8.DecodeRuneInString(typeName)
	name := string(unicode.ToLower(r))
	if reservedLocals[name] {
		return "x"
	}
	return name
}

// comment formats text as a // comment indented by indent, wrapped at about
// 76 columns; blank lines in text separate paragraphs.
func comment(text, indent string) string {
	var b strings.Builder
	for i, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if i > 0 {
			b.WriteString(indent + "//\n")
		}
		line := ""
		for _, w := range strings.Fields(para) {
			if line != "" && len(indent)+3+len(line)+1+len(w) > 76 {
				b.WriteString(indent + "// " + line + "\n")
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += w
		}
		if line != "" {
			b.WriteString(indent + "// " + line + "\n")
		}
	}
	return b.String()
}

// sentence returns doc ending with a period.
func sentence(doc string) string {
	doc = strings.TrimSpace(doc)
	if doc == "" || strings.HasSuffix(doc, ".") || strings.HasSuffix(doc, "!") || strings.HasSuffix(doc, "?") {
		return doc
	}
	return doc + "."
}
