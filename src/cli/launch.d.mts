/** Types of launch.mjs (plain JavaScript: it runs before any TypeScript loader exists). */

/** Each command's module, relative to the checkout. */
export declare const COMMANDS: Readonly<Record<string, string>>;

/** The launcher's own path (what a process that starts a command runs). */
export declare const launcherFile: string;

/** The file to run `module` from: its bundle, or the source (`typescript`: tsx must be loaded first). */
export declare function entryFile(
  module: string,
  env?: Readonly<Record<string, string | undefined>>,
): Promise<{ source: string; file: string; typescript: boolean }>;
