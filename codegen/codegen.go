// Package codegen generates Go code from the event contracts of a manifest:
// for every schema a file with a named type per record, enum and fixed, a
// sealed interface per union, the event's contract (the schema exactly as it
// is registered, its canonical form and fingerprints, topic, subject, key),
// reflection-free Avro encoding and decoding on the runtime package
// avrobin, validation and constructors with the schema's defaults; and
// contracts.gen.go, whose Contracts lists the contracts of all the events.
//
// A schema's file begins with its event's record: the type, the constants
// of its name in errors and of its fields' "const" values, its constructor,
// the contract (an exported variable, DeadlinePassedContract for the record
// DeadlinePassed) with the Contract and AppendKey methods, then AppendAvro,
// UnmarshalAvro, DecodeAvro, Validate and LogValue (which describes the
// record to log/slog). The other named types follow.
//
// A package directory holds the code of one manifest, whose Contracts lists
// every event of the package: WriteFiles removes the generated files of the
// directory that it is not given, so another manifest generated into the
// same directory replaces the first's code (and "eventctl generate -check"
// of the first then fails). Events that share types go in one manifest,
// either as shared types of the manifest (a schema file of their own,
// registered as a schema reference: the file generated from it has the Go
// type, and the contract of each event that uses it carries the reference)
// or defined identically in each schema, as the corpus's shared_a and
// shared_b do; either way the types they share are generated once.
//
// Generate works in memory and returns every file or one error; WriteFiles
// writes them only once all are generated, through temporary files and
// renames; Stale compares them with a directory.
//
// # Mapping
//
//   - records: structs with `avro:"name"` tags, Go-cased field names
//     ("cafe_id" is CafeID); a record field that would make records contain
//     each other by value is a pointer.
//   - enums: int32 types with a constant per symbol; fixed: [N]byte types.
//   - ["null", T] and [T, "null"]: *T (a decimal stays *big.Rat, nil being
//     null); a union of one branch: that branch's type; any other union: a
//     sealed interface named after its field ("OrderPayment"), whose values
//     are *Record, an enum or fixed type, or a defined type per other
//     branch ("OrderPaymentString"); nil is null.
//   - logical types: timestamp-* and local-timestamp-* time.Time (local
//     ones as wall clock in time.UTC), date avrobin.Date, time-millis and
//     time-micros time.Duration since midnight, decimal *big.Rat, uuid
//     avrobin.UUID, duration avrobin.Duration.
//
// # Names
//
// A named type's Go name is its short name in Go case, and so are its
// fields' and symbols', but where that would make two identifiers of the
// package one, so that every valid schema compiles:
//
//   - named types whose short names are one Go name in different namespaces
//     (com.example.geo.Address and com.example.shipping.Address, in one
//     schema or in two of the manifest) each begin with the shortest end of
//     the namespace that the others' namespaces do not end with, in Go case:
//     GeoAddress and ShippingAddress; a.x.Id and b.x.Id are AXID and BXID; a
//     type of the null namespace keeps the bare name.
//   - a type whose Go name is an identifier generated for another type (its
//     constructor NewFoo, the contract variable FooContract of the event Foo,
//     the constant SuitSpades of a symbol, the union FooPay of a field), or
//     the package's Contracts, takes the suffix Record, Enum or Fixed
//     (NewFooRecord), then a number; when two types would generate one
//     identifier, or have one Go name still, so does the later by full name.
//   - a field whose Go name is a method of generated records (Validate) or
//     an earlier field's takes the suffix Field; a symbol's constant that an
//     earlier symbol's has, Symbol; a union interface or wrapper type, or a
//     const's constant, that another of the record's identifiers has,
//     Union, Branch or Const.
//
// The doc of each such type and field says which name it would have had and
// why not. The names depend on the set of named types of the manifest, not
// on the order of its events; a schema added with a type of an existing
// short name renames the existing type too. Go keywords and predeclared
// identifiers need nothing: exported names are neither.
package codegen

import (
	"bytes"
	"fmt"
	"go/format"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/lunchbot/eventkit/codegen/manifest"
	"github.com/lunchbot/eventkit/internal/schema"
)

const (
	avrobinPath  = "github.com/lunchbot/eventkit/sdk/avrobin"
	contractPath = "github.com/lunchbot/eventkit/sdk/contract"
	// Header is the first line of every generated file.
	Header = "// Code generated by eventctl generate. DO NOT EDIT."
	// Suffix ends the name of every generated file.
	Suffix = ".gen.go"
)

// File is one generated file.
type File struct {
	// Name is the file's base name: the schema file's with ".gen.go" for
	// ".avsc" ("deadline_passed.gen.go"), or "contracts.gen.go".
	Name string
	// Source is the gofmt-ed Go source.
	Source []byte
}

// Error is a problem with the generator's input, naming the file at fault.
type Error struct {
	// File is the schema or manifest file.
	File string
	// Problem says what is wrong.
	Problem string
	// Err is the underlying error, if any.
	Err error
}

func (e *Error) Error() string { return e.File + ": " + e.Problem }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Generate returns the Go files for the events of m, in the package
// m.Go.Package: one file per shared type's schema, then one per event's,
// each named type generated once even when several schemas define it
// identically (in the first file that has it), then contracts.gen.go. Any
// problem (a type that two schemas define differently, an unsupported
// construct, a default that does not fit its type) is an *Error naming the
// schema file; then nothing is returned.
func Generate(m *manifest.Manifest) ([]File, error) {
	nm, err := nameTypes(m.Go.Package, m.Types, m.Events)
	if err != nil {
		return nil, &Error{File: m.Path, Problem: err.Error(), Err: err}
	}
	g := &generator{
		m:        m,
		nm:       nm,
		pkg:      m.Go.Package,
		byKey:    map[string]*decl{},
		byIdent:  map[string]*decl{},
		byFile:   map[string]string{},
		declFile: map[*decl]string{},
	}
	g.byIdent["Contracts"] = contractsDecl
	g.declFile[contractsDecl] = m.Path
	var files []File
	var f File
	for _, t := range m.Types {
		f, err = g.typeFile(t)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	for _, ev := range m.Events {
		f, err = g.file(ev)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	f, err = g.contractsFile()
	if err != nil {
		return nil, &Error{File: m.Path, Problem: err.Error(), Err: err}
	}
	return append(files, f), nil
}

type generator struct {
	m        *manifest.Manifest
	nm       *naming
	pkg      string
	byKey    map[string]*decl
	byIdent  map[string]*decl
	byFile   map[string]string // output name → schema file
	declFile map[*decl]string
	// events are the Go types of the events generated so far.
	events []string
}

// rel returns a schema file's path relative to the manifest, for messages
// and headers that must not depend on the working directory.
func (g *generator) rel(path string) string {
	if r, err := filepath.Rel(filepath.Dir(g.m.Path), path); err == nil {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(path)
}

// file returns the file of an event's schema: the event's record with its
// contract, then the schema's other named types, but those an earlier file
// has (the shared types' files come first).
func (g *generator) file(ev *manifest.Event) (File, error) {
	fail := func(err error) (File, error) {
		return File{}, &Error{File: ev.SchemaFile, Problem: err.Error(), Err: err}
	}
	root := ev.Schema.Root
	name, err := g.outputName(ev.SchemaFile)
	if err != nil {
		return fail(err)
	}
	tm := analyze(g.pkg, root, g.nm)
	evd, err := eventDecl(tm, ev)
	if err != nil {
		return fail(err)
	}
	named, err := namedDecls(tm, root)
	if err != nil {
		return fail(err)
	}
	emit, err := g.keep(append([]*decl{evd}, named...), ev.SchemaFile)
	if err != nil {
		return fail(err)
	}

	// The event's contract and methods go within its record's code, or
	// first when an earlier file has the record.
	withRecord := slices.ContainsFunc(emit, func(d *decl) bool { return d.key == tm.names[root] })
	var body bytes.Buffer
	for _, d := range emit {
		switch {
		case d == evd && withRecord:
			continue
		case d.key == tm.names[root]:
			body.WriteString("\n" + d.code[:d.split] + evd.code + "\n" + d.code[d.split:])
		default:
			body.WriteString("\n" + d.code)
		}
	}
	g.events = append(g.events, tm.names[root])
	return g.source(name, ev.SchemaFile, emit, body.Bytes())
}

// typeFile returns the file of a shared type's schema: its named types, but
// those of the shared types it uses, which their own files have. Every
// schema that uses the type uses this one Go type.
func (g *generator) typeFile(t *manifest.Type) (File, error) {
	fail := func(err error) (File, error) {
		return File{}, &Error{File: t.SchemaFile, Problem: err.Error(), Err: err}
	}
	name, err := g.outputName(t.SchemaFile)
	if err != nil {
		return fail(err)
	}
	named, err := namedDecls(analyze(g.pkg, t.Schema.Root, g.nm), t.Schema.Root)
	if err != nil {
		return fail(err)
	}
	emit, err := g.keep(named, t.SchemaFile)
	if err != nil {
		return fail(err)
	}
	var body bytes.Buffer
	for _, d := range emit {
		body.WriteString("\n" + d.code)
	}
	return g.source(name, t.SchemaFile, emit, body.Bytes())
}

// outputName returns the name of the file generated from a schema file, and
// claims it.
func (g *generator) outputName(schemaFile string) (string, error) {
	name := strings.TrimSuffix(filepath.Base(schemaFile), filepath.Ext(schemaFile)) + Suffix
	if name == contractsName {
		return "", fmt.Errorf("generates %s, the file of the package's Contracts function; rename the schema file", name)
	}
	if other, dup := g.byFile[name]; dup {
		return "", fmt.Errorf("generates %s, as %s does; rename one of them", name, other)
	}
	g.byFile[name] = schemaFile
	return name, nil
}

// namedDecls generates the named types reachable from root.
func namedDecls(tm *typeMap, root *schema.Schema) ([]*decl, error) {
	var decls []*decl
	for _, n := range schema.NamedTypes(root) {
		var d *decl
		var err error
		switch {
		case n.Kind == schema.Record:
			d, err = recordDecl(tm, n)
		case n.Kind == schema.Enum:
			d = enumDecl(tm, n)
		case n.Kind == schema.Fixed && n.Logical == "":
			d = fixedDecl(tm, n)
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
		decls = append(decls, d)
	}
	return decls, nil
}

// keep returns the decls of schemaFile that no earlier file has, each
// once, and claims their identifiers: a decl identical to an earlier one is
// dropped; one that defines an identifier another defines is an error.
func (g *generator) keep(decls []*decl, schemaFile string) ([]*decl, error) {
	var emit []*decl
	for _, d := range decls {
		if prev, ok := g.byKey[d.key]; ok {
			if prev.code == d.code {
				continue
			}
			if strings.HasPrefix(d.key, "event:") {
				return nil, fmt.Errorf("%s is also the record of another event (%s)", d.what, g.rel(g.declFile[prev]))
			}
			if d.what == prev.what {
				return nil, fmt.Errorf("name clash: %s differs from the %s of %s, and both would be the Go type %s; define it identically in both or rename one",
					d.what, prev.what, g.rel(g.declFile[prev]), d.key)
			}
			return nil, fmt.Errorf("name clash: %s and %s (in %s) would both be the Go type %s",
				d.what, prev.what, g.rel(g.declFile[prev]), d.key)
		}
		seen := map[string]bool{}
		for _, id := range d.idents {
			if seen[id] {
				return nil, fmt.Errorf("name clash: %s defines the Go identifier %s twice", d.what, id)
			}
			seen[id] = true
			if prev, ok := g.byIdent[id]; ok {
				return nil, fmt.Errorf("name clash: %s and %s (in %s) would both define the Go identifier %s",
					d.what, prev.what, g.rel(g.declFile[prev]), id)
			}
		}
		g.byKey[d.key] = d
		for _, id := range d.idents {
			g.byIdent[id] = d
		}
		g.declFile[d] = schemaFile
		emit = append(emit, d)
	}
	return emit, nil
}

// source returns the file name with the header, the imports of emit and
// body.
func (g *generator) source(name, schemaFile string, emit []*decl, body []byte) (File, error) {
	imp := map[string]bool{}
	for _, d := range emit {
		for p := range d.imp {
			imp[p] = true
		}
	}
	var src bytes.Buffer
	fmt.Fprintf(&src, "%s\n// Source: %s\n\npackage %s\n\n", Header, g.rel(schemaFile), g.pkg)
	if len(imp) > 0 {
		src.WriteString(importBlock(imp))
	}
	src.Write(body)
	f, err := formatFile(name, src.String())
	if err != nil {
		return File{}, &Error{File: schemaFile, Problem: err.Error(), Err: err}
	}
	return f, nil
}

// formatFile returns the file of the source src, gofmt-ed.
func formatFile(name, src string) (File, error) {
	out, err := format.Source([]byte(src))
	if err != nil {
		return File{}, fmt.Errorf("generated code does not parse (a bug in eventctl generate): %w\n%s", err, src)
	}
	return File{Name: name, Source: out}, nil
}

// importBlock returns the import declaration of the paths: the standard
// library first, then the rest; one path without parentheses.
func importBlock(imp map[string]bool) string {
	var std, other []string
	for p := range imp {
		if strings.Contains(p, ".") {
			other = append(other, p)
		} else {
			std = append(std, p)
		}
	}
	sort.Strings(std)
	sort.Strings(other)
	if len(imp) == 1 {
		return fmt.Sprintf("import %q\n", append(std, other...)[0])
	}
	var b strings.Builder
	b.WriteString("import (\n")
	for _, p := range std {
		fmt.Fprintf(&b, "\t%q\n", p)
	}
	if len(std) > 0 && len(other) > 0 {
		b.WriteString("\n")
	}
	for _, p := range other {
		fmt.Fprintf(&b, "\t%q\n", p)
	}
	b.WriteString(")\n")
	return b.String()
}
