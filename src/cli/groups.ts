// The first arguments that make `arm-emulator` a client command (src/cli) instead of the emulator: kept apart
// from the commands themselves so a start of the emulator does not load them to ask.
export const CLI_GROUPS = new Set(['env', 'aksarc', 'connectedk8s', 'k8s-extension', 'customlocation', 'help', '--help', '-h']);
