import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { ROOT } from './sourceFiles';

/** One import of one file: `to` is a repository-relative file for a relative specifier, else the package name. */
export interface ImportEdge {
  from: string;
  to: string;
  /** `import type`, `export type`, an import whose every named binding is `type`, or an `import('…')` type. */
  typeOnly: boolean;
  /** `to` is a package (bare specifier or `node:` built-in), not a file of this repository. */
  external: boolean;
  specifier: string;
}

/** The import graph of every `.ts` file below `dirs`, and the relative specifiers that resolve to no file. */
export interface ImportGraph {
  files: string[];
  edges: ImportEdge[];
  unresolved: Array<{ from: string; specifier: string }>;
}

const toPosix = (p: string): string => p.split(sep).join('/');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...tsFiles(rel));
    else if (entry.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** The compiler options of the project's tsconfig.json, so specifiers resolve as `tsc` resolves them. */
function compilerOptions(): ts.CompilerOptions {
  const file = join(ROOT, 'tsconfig.json');
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(file, ts.sys.readFile).config, ts.sys, ROOT, undefined, file);
  return parsed.options;
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`; `node:fs` stays `node:fs`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Every module specifier of one source file, with whether it is only a type import. */
export function specifiersOf(source: ts.SourceFile): Array<{ specifier: string; typeOnly: boolean }> {
  const out: Array<{ specifier: string; typeOnly: boolean }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      // `import { type A, type B } from` is type-only too; `import {} from` and `import './x'` load the module.
      const named = bindings !== undefined && ts.isNamedImports(bindings) ? bindings.elements : [];
      const everyNamedIsType = clause !== undefined && !clause.name && named.length > 0 && named.every((e) => e.isTypeOnly);
      out.push({ specifier: node.moduleSpecifier.text, typeOnly: clause?.isTypeOnly === true || everyNamedIsType });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.exportClause;
      const everyNamedIsType = clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
      out.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly || everyNamedIsType });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      out.push({ specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) out.push({ specifier: arg.text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** `specifiersOf` for a snippet of TypeScript. */
export const specifiersIn = (text: string): Array<{ specifier: string; typeOnly: boolean }> =>
  specifiersOf(ts.createSourceFile('snippet.ts', text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS));

/** Reads and resolves the imports of every `.ts` file below `dirs` (repository-relative folders). */
export function importGraph(dirs: readonly string[]): ImportGraph {
  const options = compilerOptions();
  const files = dirs.flatMap(tsFiles).sort();
  const edges: ImportEdge[] = [];
  const unresolved: ImportGraph['unresolved'] = [];
  for (const from of files) {
    const abs = join(ROOT, from);
    const source = ts.createSourceFile(abs, readFileSync(abs, 'utf8'), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    for (const { specifier, typeOnly } of specifiersOf(source)) {
      if (!specifier.startsWith('.')) {
        edges.push({ from, to: packageName(specifier), typeOnly, external: true, specifier });
        continue;
      }
      const resolved = ts.resolveModuleName(specifier, abs, options, ts.sys).resolvedModule?.resolvedFileName;
      if (resolved === undefined) unresolved.push({ from, specifier });
      else edges.push({ from, to: toPosix(relative(ROOT, resolved)), typeOnly, external: false, specifier });
    }
  }
  return { files, edges, unresolved };
}
