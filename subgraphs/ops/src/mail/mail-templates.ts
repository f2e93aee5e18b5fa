/** The mails ops sends. Each renders to a subject, plain text and simple HTML. */
export type MailTemplate =
  | { template: 'order-placed'; data: { orderId: string; total: string } }
  | { template: 'payment-failed'; data: { orderId: string; reason: string } }
  | { template: 'order-expired'; data: { orderId: string } }
  | { template: 'shipped'; data: { orderId: string; carrier: string; trackingNumber: string } }
  | { template: 'refunded'; data: { orderId: string; amount: string } }
  | { template: 'care-digest'; data: { items: { animal: string; task: string }[] } }
  | { template: 'password-reset'; data: { resetUrl: string; expiresInMinutes: number } };

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const escape = (value: string): string =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** Text lines become paragraphs of the HTML part; every value is escaped there. */
function mail(subject: string, lines: string[]): RenderedMail {
  const text = `${lines.join('\n\n')}\n\n-- Terrarium\n`;
  const html = `<!doctype html><html><body style="font-family:sans-serif">${lines.map((line) => `<p>${escape(line)}</p>`).join('')}<p>-- Terrarium</p></body></html>`;
  return { subject, text, html };
}

export function renderMail(m: MailTemplate): RenderedMail {
  switch (m.template) {
    case 'order-placed':
      return mail(`Order ${m.data.orderId} placed`, [
        `Thank you: order ${m.data.orderId} is placed.`,
        `Total: ${m.data.total}.`,
      ]);
    case 'payment-failed':
      return mail(`Payment for order ${m.data.orderId} failed`, [
        `The payment for order ${m.data.orderId} failed: ${m.data.reason}.`,
        'You can pay again from your order page.',
      ]);
    case 'order-expired':
      return mail(`Order ${m.data.orderId} expired`, [
        `Order ${m.data.orderId} was not paid in time and is cancelled; nothing was charged.`,
      ]);
    case 'shipped':
      return mail(`Order ${m.data.orderId} shipped`, [
        `Part of order ${m.data.orderId} is on its way with ${m.data.carrier}.`,
        `Tracking number: ${m.data.trackingNumber}.`,
      ]);
    case 'refunded':
      return mail(`Order ${m.data.orderId} refunded`, [
        `We refunded ${m.data.amount} for order ${m.data.orderId}.`,
      ]);
    case 'care-digest':
      return mail('Your care tasks today', [
        m.data.items.length === 0 ? 'Nothing is due today.' : 'Due today:',
        ...m.data.items.map((item) => `${item.animal}: ${item.task}`),
      ]);
    case 'password-reset':
      return mail('Reset your Terrarium password', [
        `Open this link to choose a new password: ${m.data.resetUrl}`,
        `It works once, for ${m.data.expiresInMinutes} minutes. If you did not ask for it, ignore this mail.`,
      ]);
  }
}
