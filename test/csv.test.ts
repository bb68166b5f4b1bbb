import { describe, expect, it } from 'vitest';
import { csvCell, csvDownload, toCsv, type CsvColumn } from '../src/lib/csv';

/** A strict RFC 4180 reader, to check that what we write reads back cell for cell. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') (cell += '"'), (i += 2);
        else if (text[i] === '"') break;
        else if (i >= text.length) throw new Error('unterminated quote');
        else cell += text[i++];
      }
      i += 1;
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
        cell += text[i++];
      }
    }
    if (text[i] === ',') {
      record.push(cell);
      cell = '';
      i += 1;
    } else if (text.startsWith('\r\n', i)) {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      i += 2;
    } else throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  return records;
}

type Row = { name: string; amount: number | string; note?: string | null };
const columns: CsvColumn<Row>[] = [
  { header: 'name', value: (r) => r.name },
  { header: 'amount', value: (r) => r.amount },
  { header: 'note', value: (r) => r.note },
];

describe('toCsv: RFC 4180', () => {
  it('writes a header record and one record per row, each ending in CRLF', () => {
    const csv = toCsv(columns, [
      { name: 'Amina', amount: 1500 },
      { name: 'Otieno', amount: '20.50', note: 'ok' },
    ]);
    expect(csv).toBe('name,amount,note\r\nAmina,1500,\r\nOtieno,20.50,ok\r\n');
  });

  it('writes only the header for no rows', () => {
    expect(toCsv(columns, [])).toBe('name,amount,note\r\n');
  });

  it('quotes cells with commas, quotes, CR or LF and doubles inner quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('x\ry')).toBe('"x\ry"');
    expect(csvCell('plain text')).toBe('plain text');
  });

  it('turns null, undefined and non-finite numbers into empty cells; dates into ISO 8601', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(Number.POSITIVE_INFINITY)).toBe('');
    expect(csvCell(new Date(Date.UTC(2025, 0, 15, 13, 30, 4)))).toBe('2025-01-15T13:30:04.000Z');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(12n)).toBe('12');
  });

  it('reads back cell for cell whatever the text (seeded random strings)', () => {
    let seed = 20250115;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = ['a', 'Z', ' ', ',', '"', '\r', '\n', '\r\n', 'é', '₦', ';', "'"];
    const rows: Row[] = Array.from({ length: 200 }, () => ({
      name: Array.from({ length: Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''),
      amount: Math.floor(random() * 1e9),
      note: random() < 0.3 ? null : 'x"y',
    }));
    // A cell starting with CR reads back with the apostrophe that neutralises it.
    const shown = (text: string) => (text.startsWith('\r') ? `'${text}` : text);
    const parsed = parseCsv(toCsv(columns, rows));
    expect(parsed[0]).toEqual(['name', 'amount', 'note']);
    expect(parsed.slice(1)).toEqual(rows.map((r) => [shown(r.name), String(r.amount), r.note ?? '']));
  });
});

describe('csvCell: formula injection', () => {
  it.each([
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+254708374149', "'+254708374149"],
    ['-2+3+cmd|" /C calc"!A0', `"'-2+3+cmd|"" /C calc""!A0"`],
    ['@SUM(1)', "'@SUM(1)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', `"'\r=1+1"`],
    ['-', "'-"],
    ['-1e5', "'-1e5"],
    ['=HYPERLINK("http://evil.example","click")', `"'=HYPERLINK(""http://evil.example"",""click"")"`],
  ])('%j is neutralised as %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('keeps negative numbers readable, as numbers or as decimal text', () => {
    expect(csvCell(-1500)).toBe('-1500');
    expect(csvCell(-0.5)).toBe('-0.5');
    expect(csvCell('-1500.00')).toBe('-1500.00');
    expect(csvCell('-7')).toBe('-7');
  });

  it('leaves text that merely contains the characters elsewhere alone', () => {
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('MTN airtime to 08011111111')).toBe('MTN airtime to 08011111111');
    expect(csvCell(' =1+1')).toBe(' =1+1');
  });

  it('applies to header cells too', () => {
    expect(toCsv([{ header: '=cmd', value: () => 1 }], [{}])).toBe("'=cmd\r\n1\r\n");
  });
});

describe('csvDownload', () => {
  it('answers a UTF-8 CSV attachment that nothing caches', async () => {
    const response = csvDownload('malipo-history-2025-01-15.csv', 'a,b\r\n');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="malipo-history-2025-01-15.csv"');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toBe('a,b\r\n');
  });

  it('cannot be used to break out of the Content-Disposition header', () => {
    const response = csvDownload('evil"\r\nset-cookie: x=1; .csv', '');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="evil___set-cookie__x_1__.csv"');
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('adds extra headers', () => {
    expect(csvDownload('x.csv', '', { 'x-export-truncated': 'true' }).headers.get('x-export-truncated')).toBe('true');
  });
});
