/** The package version (test/version.test.ts checks it equals package.json's). */
export const VERSION = "0.2.0";
