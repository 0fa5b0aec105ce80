/**
 * A terminal for tests: a screen of rows that interprets what a program writes as a real terminal
 * would (`\r` back to column 0, `\n` a new row, ESC[K erases to the end of the row, a character
 * past the last column wraps onto a new row), and remembers every wrap and which write caused it.
 */
import { EventEmitter } from 'node:events';

export class FakeTerminal {
  readonly isTTY = true;
  readonly rows: string[] = [''];
  readonly writes: string[] = [];
  /** The writes that made a row wrap. */
  readonly wrappedBy: string[] = [];
  private column = 0;
  private readonly events = new EventEmitter();

  constructor(public columns: number) {}

  write(text: string): boolean {
    this.writes.push(text);
    for (let i = 0; i < text.length; i++) {
      if (text.startsWith('\x1b[K', i)) {
        this.rows[this.rows.length - 1] = this.row.slice(0, this.column);
        i += 2;
      } else if (text[i] === '\x1b') throw new Error(`unexpected escape sequence ${JSON.stringify(text.slice(i))}`);
      else if (text[i] === '\r') this.column = 0;
      else if (text[i] === '\n') this.newRow();
      else this.put(text[i], text);
    }
    return true;
  }

  /** Resizes the terminal (it does not reflow what is on it) and tells the listeners. */
  resize(columns: number): void {
    this.columns = columns;
    this.events.emit('resize');
  }

  on(event: 'resize', listener: () => void): void {
    this.events.on(event, listener);
  }

  off(event: 'resize', listener: () => void): void {
    this.events.off(event, listener);
  }

  private get row(): string {
    return this.rows[this.rows.length - 1];
  }

  private newRow(): void {
    this.rows.push('');
    this.column = 0;
  }

  private put(char: string, write: string): void {
    if (this.column >= this.columns) {
      if (this.wrappedBy.at(-1) !== write) this.wrappedBy.push(write);
      this.newRow();
    }
    const row = this.row;
    this.rows[this.rows.length - 1] = row.slice(0, this.column).padEnd(this.column) + char + row.slice(this.column + 1);
    this.column++;
  }
}
