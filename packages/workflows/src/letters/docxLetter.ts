/**
 * A letter as a Word document (.docx), with the `docx` package: schools edit and print letters in
 * Word, and councils' forms take a .docx attachment. The one file that imports `docx`.
 */
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import type { ComposedLetter } from './composeLetter.js';

/** The media type of a .docx file. */
export const DOCX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Writes `letter` as a .docx file. */
export async function docxLetter(letter: ComposedLetter): Promise<Uint8Array> {
  const line = (text: string, options: { bold?: boolean; spacingAfter?: number } = {}) =>
    new Paragraph({ children: [new TextRun({ text, ...(options.bold ? { bold: true } : {}) })], spacing: { after: options.spacingAfter ?? 0 } });
  const body: Paragraph[] = [
    new Paragraph({ children: [new TextRun({ text: letter.schoolName, bold: true, size: 28 })], alignment: AlignmentType.RIGHT, spacing: { after: 240 } }),
    line(letter.recipient.names),
    ...letter.recipient.address.map((a) => line(a)),
    new Paragraph({ children: [new TextRun(letter.date)], alignment: AlignmentType.RIGHT, spacing: { before: 240, after: 240 } }),
    line(letter.salutation, { spacingAfter: 200 }),
    new Paragraph({ text: letter.subject, heading: HeadingLevel.HEADING_1, spacing: { after: 200 } }),
  ];
  for (const p of letter.paragraphs) {
    if (p.heading) body.push(new Paragraph({ text: p.heading, heading: HeadingLevel.HEADING_2, spacing: { before: 160, after: 80 } }));
    p.lines.forEach((text, i) => body.push(line(text, { spacingAfter: i === p.lines.length - 1 ? 160 : 0 })));
  }
  body.push(line('Yours sincerely,', { spacingAfter: 480 }), line(letter.signOff.name), line(letter.signOff.role, { spacingAfter: 360 }));
  // In the body, not a footer: it stays with the text when a letter is copied into another document.
  body.push(new Paragraph({ children: [new TextRun({ text: letter.reference, size: 16, color: '555555' })] }));
  const doc = new Document({
    title: letter.title,
    creator: letter.schoolName,
    styles: { default: { document: { run: { font: 'Arial', size: 22 } } } },
    sections: [{ children: body }],
  });
  return new Uint8Array(await Packer.toBuffer(doc));
}
