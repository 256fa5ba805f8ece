import fs from 'node:fs';
import Module from 'node:module';
import ts from 'typescript';

/**
 * Lets `require()` load `.ts` files without a build step by transpiling them to CommonJS (types
 * are stripped, not checked). Used by service workers for `index.ts` entry modules and preloaded
 * with `node --require` for crontab commands that name a `.ts` file.
 */
export function registerTypeScript(): void {
  const extensions = (
    Module as unknown as { _extensions: Record<string, (m: NodeModule, file: string) => void> }
  )._extensions;
  if (extensions['.ts'] !== undefined) return;
  extensions['.ts'] = (module, file) => {
    const source = fs.readFileSync(file, 'utf8');
    const out = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        sourceMap: false,
        inlineSourceMap: true,
      },
    });
    (module as unknown as { _compile(code: string, file: string): void })._compile(out.outputText, file);
  };
}

registerTypeScript();
