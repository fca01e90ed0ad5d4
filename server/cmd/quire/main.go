// Command quire runs the Quire document archive server. See README.md.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/quirehq/quire/server"
)

func main() {
	if err := server.Run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "quire:", err)
		os.Exit(1)
	}
}
