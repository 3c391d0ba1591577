/** A letter that cannot be made as asked: the message says why and what would work, naming no pupil. */
export class LetterRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LetterRefused';
  }
}
