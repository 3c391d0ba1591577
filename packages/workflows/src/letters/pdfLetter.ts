/**
 * A letter as a PDF, with `pdfkit`: it lays out and wraps text itself (pdf-lib, the other common
 * choice, has had no release since 2021 and leaves line-breaking to the caller), ships the
 * standard PDF fonts so nothing is fetched or embedded from the machine, and is actively
 * maintained. The one file that imports `pdfkit`.
 */
import PDFDocument from 'pdfkit';
import type { ComposedLetter } from './composeLetter.js';

export const PDF_MEDIA_TYPE = 'application/pdf';

/**
 * Writes `letter` as a PDF.
 * @param made — when the letter was made, for the file's creation date (so one letter's bytes do not depend on the machine's clock).
 */
export function pdfLetter(letter: ComposedLetter, made: Date): Promise<Uint8Array> {
  const doc = new PDFDocument({ size: 'A4', margin: 64, info: { Title: letter.title, Author: letter.schoolName, CreationDate: made, ModDate: made } });
  const chunks: Buffer[] = [];
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
  });
  const body = (text: string, gap = 0.2) => doc.font('Helvetica').fontSize(11).text(text, { align: 'left' }).moveDown(gap);
  doc.font('Helvetica-Bold').fontSize(14).text(letter.schoolName, { align: 'right' }).moveDown(1);
  doc.font('Helvetica').fontSize(11).text(letter.recipient.names);
  for (const a of letter.recipient.address) doc.text(a);
  doc.moveDown(1).text(letter.date, { align: 'right' }).moveDown(1);
  body(letter.salutation, 0.6);
  doc.font('Helvetica-Bold').fontSize(13).text(letter.subject).moveDown(0.6);
  for (const p of letter.paragraphs) {
    if (p.heading) doc.font('Helvetica-Bold').fontSize(11.5).text(p.heading).moveDown(0.2);
    p.lines.forEach((text, i) => body(text, i === p.lines.length - 1 ? 0.7 : 0));
  }
  body('Yours sincerely,', 2);
  body(letter.signOff.name, 0);
  body(letter.signOff.role, 1.5);
  doc.font('Helvetica').fontSize(8).fillColor('#555555').text(letter.reference);
  doc.end();
  return done;
}
