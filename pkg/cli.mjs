#!/usr/bin/env node
// `idv-sessions` (`npx idv-sessions --help`): the package's command line for ops work, on the
// package's own exports and Node's own modules. The commands are in cli/.
import { main } from "./cli/main.mjs";

await main(process.argv.slice(2));
