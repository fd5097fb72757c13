import { MAX_JSON_DEPTH } from './flow-limits';

/**
 * Finds the first JSON syntax error in a text and says what is wrong in plain words. Used only
 * after `JSON.parse` failed: engines word (and locate) their errors differently, and say nothing
 * helpful about the usual hand-editing slips (trailing comma, single quotes, comments).
 */

/** Where the text stops being JSON, and why. */
export interface JsonSyntaxError {
  /** Offset (UTF-16 code units) of the offending character. */
  offset: number;
  message: string;
}

/** The first syntax error in `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    const scanner = new Scanner(text);
    scanner.skipSpace();
    if (scanner.atEnd()) throw new SyntaxFailure(0, 'the text is empty: a flow file is a JSON object ({ ... })');
    scanner.value();
    scanner.skipSpace();
    if (!scanner.atEnd())
      scanner.fail(
        `unexpected ${scanner.show()} after the end of the JSON data (is there a stray character or a missing "[" or "{"?)`,
      );
    return undefined;
  } catch (err) {
    if (err instanceof SyntaxFailure) return { offset: err.offset, message: err.message };
    throw err;
  }
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class SyntaxFailure extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const VALUE_HINT =
  'expected a value: text in "double quotes", a number, true, false, null, an object { } or a list [ ]';

class Scanner {
  private pos = 0;
  /** Objects and lists open around the current position: the scanner recurses, so it stops at the limit. */
  private depth = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  fail(message: string, offset = this.pos): never {
    throw new SyntaxFailure(offset, message);
  }

  /** The current character as a user would want to see it quoted. */
  show(): string {
    if (this.atEnd()) return 'end of the text';
    return JSON.stringify(this.text[this.pos]);
  }

  skipSpace(): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else if (c === '/' && (this.text[this.pos + 1] === '/' || this.text[this.pos + 1] === '*'))
        this.fail('comments are not allowed in JSON; remove it (or put the note in a "description" field)');
      else return;
    }
  }

  value(): void {
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    if (c === "'") this.fail('text must be in double quotes ("), not single quotes (\')');
    if (this.atEnd()) this.fail(`the text ends too early: ${VALUE_HINT}`);
    const word = /^[A-Za-z_$][\w$]*/.exec(this.text.slice(this.pos, this.pos + 40))?.[0];
    if (word === 'true' || word === 'false' || word === 'null') {
      this.pos += word.length;
      return;
    }
    if (word) this.fail(`unexpected word ${JSON.stringify(word)}: ${VALUE_HINT} (text needs double quotes)`);
    this.fail(`unexpected ${this.show()}: ${VALUE_HINT}`);
  }

  private object(): void {
    this.enter();
    const start = this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      this.depth--;
      return;
    }
    for (;;) {
      this.skipSpace();
      const key = this.fieldName(start);
      this.skipSpace();
      if (this.text[this.pos] !== ':')
        this.fail(`expected ":" after the field name ${JSON.stringify(key)}, found ${this.show()}`);
      this.pos++;
      this.skipSpace();
      this.value();
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === '}') {
        this.pos++;
        this.depth--;
        return;
      }
      if (c === ',') {
        const comma = this.pos++;
        this.skipSpace();
        if (this.text[this.pos] === '}') this.fail('trailing comma: remove the "," before "}"', comma);
        continue;
      }
      if (this.atEnd())
        this.fail(`the text ends before the object opened at ${this.where(start)} is closed: a "}" is missing`);
      this.fail(
        `expected "," or "}" after the value of ${JSON.stringify(key)}, found ${this.show()} (is a comma missing?)`,
      );
    }
  }

  private enter(): void {
    if (++this.depth > MAX_JSON_DEPTH)
      this.fail(
        `objects and lists are nested more than ${MAX_JSON_DEPTH} levels deep here, the most a flow may have; the rest of the text was not checked`,
      );
  }

  private fieldName(objectStart: number): string {
    const c = this.text[this.pos];
    if (c === '"') {
      const from = this.pos;
      this.string();
      return JSON.parse(this.text.slice(from, this.pos)) as string;
    }
    if (c === "'") this.fail('field names must be in double quotes ("), not single quotes (\')');
    if (this.atEnd())
      this.fail(`the text ends before the object opened at ${this.where(objectStart)} is closed: a "}" is missing`);
    if (/[A-Za-z_$]/.test(c)) this.fail('field names must be in double quotes, e.g. "name": ...');
    this.fail(`expected a field name in double quotes, found ${this.show()}`);
  }

  private array(): void {
    this.enter();
    const start = this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      this.depth--;
      return;
    }
    for (;;) {
      this.skipSpace();
      this.value();
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ']') {
        this.pos++;
        this.depth--;
        return;
      }
      if (c === ',') {
        const comma = this.pos++;
        this.skipSpace();
        if (this.text[this.pos] === ']') this.fail('trailing comma: remove the "," before "]"', comma);
        continue;
      }
      if (this.atEnd())
        this.fail(`the text ends before the list opened at ${this.where(start)} is closed: a "]" is missing`);
      this.fail(`expected "," or "]" after a list item, found ${this.show()} (is a comma missing?)`);
    }
  }

  private string(): void {
    const start = this.pos++;
    for (;;) {
      if (this.atEnd())
        this.fail(`the text in quotes starting at ${this.where(start)} is never closed: a closing " is missing`, start);
      const c = this.text[this.pos];
      if (c === '"') {
        this.pos++;
        return;
      }
      if (c === '\\') {
        const escape = this.text[this.pos + 1];
        if (escape === 'u') {
          if (!/^[0-9A-Fa-f]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6)))
            this.fail('"\\u" must be followed by 4 hex digits');
          this.pos += 6;
          continue;
        }
        if (escape === undefined || !'"\\/bfnrt'.includes(escape)) {
          this.fail(`invalid escape "\\${escape ?? ''}" in text; write a backslash as "\\\\" (e.g. in Windows paths)`);
        }
        this.pos += 2;
        continue;
      }
      if (c < ' ') this.fail('line breaks and tabs are not allowed inside text in quotes; write them as \\n and \\t');
      this.pos++;
    }
  }

  private number(): void {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!match) this.fail(`invalid number: ${VALUE_HINT}`);
    const next = this.text[this.pos + match[0].length];
    if (match[1] === '0' && next >= '0' && next <= '9') this.fail('numbers must not start with 0 (write 7, not 07)');
    if (next === '.' || next === 'e' || next === 'E')
      this.fail('invalid number: write decimals like 0.5 or 1.25e3', this.pos + match[0].length);
    this.pos += match[0].length;
  }

  private where(offset: number): string {
    const { line, column } = lineColumn(this.text, offset);
    return `line ${line}, column ${column}`;
  }
}
