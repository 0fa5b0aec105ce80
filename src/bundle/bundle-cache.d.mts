/** Types of bundle-cache.mjs (plain JavaScript: the launcher loads it before any TypeScript loader exists). */

/** The checkout's root directory (with a trailing separator). */
export declare const root: string;

/** The path of a current bundle of `source` in `cacheDir` (built now if stale), or null if none can be built. */
export declare function currentBundleSync(source: string, cacheDir: string): string | null;

/** As currentBundleSync, each module keeping its own `import.meta.url`. */
export declare function currentBundle(source: string, cacheDir: string): Promise<string | null>;
