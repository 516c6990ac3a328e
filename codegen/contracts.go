package codegen

import (
	"fmt"
	"strings"
)

// contractsName is the name of the file of a package's Contracts function.
const contractsName = "contracts" + Suffix

// contractsDecl stands for the Contracts function among the package's
// identifiers, so that no named type takes its name.
var contractsDecl = &decl{key: "Contracts", what: "the package's Contracts function", idents: []string{"Contracts"}}

// contractsFile returns the file of the package's Contracts function, which
// lists the contract variables of the manifest's events in manifest order.
// A package directory holds the code of one manifest: a second manifest's
// would define Contracts again.
func (g *generator) contractsFile() (File, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n// Source: %s\n\npackage %s\n\n", Header, g.rel(g.m.Path), g.pkg)
	b.WriteString(importBlock(map[string]bool{contractPath: true}))
	b.WriteString("\n" + comment("Contracts returns the contracts of the package's events, in the order of their manifest, in a new slice on each call. The contracts are shared by all who use the events: they must not be modified.", ""))
	b.WriteString("func Contracts() []*contract.Contract {\n\treturn []*contract.Contract{\n")
	for _, name := range g.events {
		fmt.Fprintf(&b, "\t\t%s,\n", contractVar(name))
	}
	b.WriteString("\t}\n}\n")
	return formatFile(contractsName, b.String())
}
