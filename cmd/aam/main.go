// Command aam finds AI agents, the non-human identities they act as and the
// standing secrets behind them.
package main

import (
	"os"

	"github.com/aam-dev/aam/internal/cli"
)

func main() { os.Exit(cli.Main()) }
