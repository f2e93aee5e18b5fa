import { requireService } from '@terrarium/platform/caller';
import { BadUserInputError } from '@terrarium/platform/errors';
import type { Context } from '../context.js';
import { User } from '../entities/user.entity.js';
import { validId, validText } from '../services/validation.js';
import { enqueueMail } from './mail.job.js';
import type { MailTemplate } from './mail-templates.js';

/** The string fields each template other subgraphs may ask for needs; password-reset is ops' own. */
const TEXT_FIELDS: Record<
  Exclude<MailTemplate['template'], 'care-digest' | 'password-reset'>,
  readonly string[]
> = {
  'order-placed': ['orderId', 'total'],
  'payment-failed': ['orderId', 'reason'],
  'order-expired': ['orderId'],
  shipped: ['orderId', 'carrier', 'trackingNumber'],
  refunded: ['orderId', 'amount'],
};

const MAX_FIELD_LENGTH = 500;
const MAX_DIGEST_ITEMS = 200;

const isText = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= MAX_FIELD_LENGTH;

/** Checks a requested template and its data against what the template renders; throws BAD_USER_INPUT. */
export function parseMailTemplate(template: string, rawData: string): MailTemplate {
  let data: unknown;
  try {
    data = JSON.parse(rawData);
  } catch {
    throw new BadUserInputError('The mail data must be JSON.', 'data');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new BadUserInputError('The mail data must be a JSON object.', 'data');
  const fields = data as Record<string, unknown>;
  if (template === 'care-digest') {
    const items = fields['items'];
    const valid =
      Array.isArray(items) &&
      items.length <= MAX_DIGEST_ITEMS &&
      items.every((item) => isText(item?.animal) && isText(item?.task));
    if (!valid)
      throw new BadUserInputError(
        `care-digest needs items: at most ${MAX_DIGEST_ITEMS} of { animal, task }.`,
        'data',
      );
    return {
      template,
      data: {
        items: (items as { animal: string; task: string }[]).map(({ animal, task }) => ({ animal, task })),
      },
    };
  }
  const required = TEXT_FIELDS[template as keyof typeof TEXT_FIELDS];
  if (!required) throw new BadUserInputError(`Unknown mail template "${template}".`, 'template');
  const missing = required.filter((name) => !isText(fields[name]) || fields[name] === '');
  if (missing.length > 0)
    throw new BadUserInputError(
      `The ${template} mail needs ${missing.join(', ')} (text of at most ${MAX_FIELD_LENGTH} characters).`,
      'data',
    );
  return { template, data: Object.fromEntries(required.map((name) => [name, fields[name]])) } as MailTemplate;
}

export interface MailRequestInput {
  userId: string;
  template: string;
  data: string;
  key: string;
}

/**
 * Internal: another subgraph asks ops to mail one of its users (kit jobs/mail-request.ts). The
 * mail is queued under `<sender>:<key>`, so a request delivered twice is mailed once. An unknown
 * user is answered true and mails nobody: the account may have been deleted since the request.
 */
export async function requestMail(ctx: Context, input: MailRequestInput): Promise<boolean> {
  const source = requireService(ctx.caller);
  const userId = validId(input.userId, 'userId');
  const key = validText(input.key, 'key', 'The key', 1, 200);
  const mail = parseMailTemplate(input.template, input.data);
  const user = await ctx.em.findOne(User, { id: userId });
  if (!user) return true;
  await enqueueMail(ctx.jobs, ctx.em, { ...mail, to: user.email, idempotencyKey: `${source}:${key}` });
  return true;
}
