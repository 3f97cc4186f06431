// The personalised guide attached to the nurture email when no admin uploaded a PDF.
import PDFDocument from 'pdfkit';
import type { EmailLocale } from './templates.ts';

/** What the guide is written for. */
export interface GuideSubject {
  firstName: string;
  interest: string | null;
  schedulingLink: string | null;
  senderName: string;
  locale: EmailLocale;
}

const texts: Record<
  EmailLocale,
  {
    title: (subject: GuideSubject) => string;
    intro: (subject: GuideSubject) => string;
    steps: { heading: string; body: string }[];
    schedule: string;
    filename: string;
  }
> = {
  'pt-BR': {
    title: ({ firstName }) => `Guia de próximos passos para ${firstName}`,
    intro: ({ interest, senderName }) =>
      `Este guia foi preparado por ${senderName}${interest ? ` a partir do seu interesse em: ${interest}` : ''}. Ele resume o que acontece a partir de agora e como se preparar.`,
    steps: [
      {
        heading: '1. Defina o que é importante para você',
        body: 'Anote o prazo que você tem em mente, o orçamento e o que não pode faltar. Essas três respostas encurtam qualquer conversa.',
      },
      {
        heading: '2. Reúna as informações',
        body: 'Documentos, referências e dúvidas que já surgiram: ter tudo em um lugar só ajuda a comparar opções com calma.',
      },
      {
        heading: '3. Converse com a nossa equipe',
        body: 'Em uma conversa curta adaptamos as recomendações ao seu caso e respondemos às suas perguntas, sem compromisso.',
      },
    ],
    schedule: 'Agende a sua conversa:',
    filename: 'guia-proximos-passos.pdf',
  },
  en: {
    title: ({ firstName }) => `Next steps guide for ${firstName}`,
    intro: ({ interest, senderName }) =>
      `${senderName} prepared this guide${interest ? ` from your interest in: ${interest}` : ''}. It sums up what happens from now on and how to get ready.`,
    steps: [
      {
        heading: '1. Decide what matters to you',
        body: 'Write down the timing you have in mind, your budget and what you cannot do without. Those three answers shorten any conversation.',
      },
      {
        heading: '2. Gather the information',
        body: 'Documents, references and the questions you already have: keeping them in one place makes comparing options easier.',
      },
      {
        heading: '3. Talk to our team',
        body: 'In a short call we fit the recommendations to your case and answer your questions, with no commitment.',
      },
    ],
    schedule: 'Book your call:',
    filename: 'next-steps-guide.pdf',
  },
};

/** The guide's file name in the email. */
export function guideFilename(locale: EmailLocale): string {
  return texts[locale].filename;
}

/**
 * A one-page PDF for this lead. pdfkit's standard fonts (Helvetica) cover Latin-1, so Portuguese
 * accents need no embedded font; characters outside it would print wrongly, so they are dropped.
 */
export async function generateGuide(subject: GuideSubject): Promise<Buffer> {
  const text = texts[subject.locale];
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: latin1(text.title(subject)), Author: latin1(subject.senderName) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc
    .font('Helvetica-Bold')
    .fontSize(22)
    .fillColor('#1c1917')
    .text(latin1(text.title(subject)));
  doc.moveDown();
  doc
    .font('Helvetica')
    .fontSize(12)
    .text(latin1(text.intro(subject)), { lineGap: 3 });
  for (const step of text.steps) {
    doc.moveDown();
    doc.font('Helvetica-Bold').fontSize(14).text(step.heading);
    doc.font('Helvetica').fontSize(12).text(step.body, { lineGap: 3 });
  }
  if (subject.schedulingLink) {
    doc.moveDown(1.5);
    doc.font('Helvetica-Bold').fontSize(12).text(text.schedule);
    doc
      .font('Helvetica')
      .fillColor('#1d4ed8')
      .text(subject.schedulingLink, { link: subject.schedulingLink, underline: true });
  }
  doc.end();
  return done;
}

function latin1(value: string): string {
  return value.replace(/[^\u0020-\u007e\u00a0-\u00ff]/g, '');
}
