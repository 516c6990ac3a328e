package codegen

import (
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"strings"
	"testing"
)

// method returns the declaration of method name of type typ in src.
func method(t *testing.T, src, typ, name string) (*token.FileSet, *ast.FuncDecl) {
	t.Helper()
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "x.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || fd.Name.Name != name {
			continue
		}
		if star, ok := fd.Recv.List[0].Type.(*ast.StarExpr); ok && star.X.(*ast.Ident).Name == typ {
			return fset, fd
		}
	}
	t.Fatalf("no method %s.%s", typ, name)
	return nil, nil
}

// methodDoc returns the doc comment of method name of type typ in src, on
// one line.
func methodDoc(t *testing.T, src, typ, name string) string {
	t.Helper()
	_, fd := method(t, src, typ, name)
	return strings.Join(strings.Fields(fd.Doc.Text()), " ")
}

// methodBody returns the body of method name of type typ in src, gofmt-ed.
func methodBody(t *testing.T, src, typ, name string) string {
	t.Helper()
	fset, fd := method(t, src, typ, name)
	var b strings.Builder
	if err := printer.Fprint(&b, fset, fd.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
