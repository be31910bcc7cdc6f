/**
 * `npm start` — the workshop menu. NOT BUILT YET: until the kit lands (issue
 * "The kit"), this starts the local cloud in the foreground, which is what
 * every lab runs against.
 */
console.log("The lab menu is not built yet; starting the local cloud instead.\n");
await import("../src/cloud/cli.js");
