/**
 * The slice of the WebAssembly JS API that shardprop uses. TypeScript ships these types only in
 * lib.dom / lib.webworker, and @types/node 20 has none; pulling in the DOM would bring hundreds of
 * browser globals into Node code, so we declare the few we need.
 */
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    grow(delta: number): number;
  }
  class Module {
    constructor(bytes: BufferSource);
  }
  /** An exported function takes and returns numbers; callers cast the exports to their real signatures. */
  type ExportFunction = (...args: never[]) => unknown;
  type ExportValue = ExportFunction | Memory | Global;
  type Exports = Record<string, ExportValue>;
  type Imports = Record<string, Record<string, unknown>>;
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Exports;
  }
  class Global {
    value: number;
  }
  function validate(bytes: BufferSource): boolean;
  function compile(bytes: BufferSource): Promise<Module>;
  function instantiate(module: Module, imports?: Imports): Promise<Instance>;
}
