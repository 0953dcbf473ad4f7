import nodemailer from 'nodemailer';
import type { Types } from 'mongoose';
import type { Models } from '../store/models';
import type { Logger } from '../logger';

export interface Mail {
  from: string;
  to: string;
  subject: string;
  text: string;
}

/** Where mail goes: SMTP (nodemailer) for real use, or the log in development (viewable at /dev/outbox). */
export interface MailTransport {
  name: string;
  send(mail: Mail): Promise<void>;
}

export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport(url);
  return {
    name: 'smtp',
    async send(mail) {
      await transporter.sendMail(mail);
    },
  };
}

export function logTransport(logger: Logger): MailTransport {
  return {
    name: 'log',
    async send(mail) {
      logger.info({ to: mail.to, subject: mail.subject }, `mail (development transport): ${mail.text}`);
    },
  };
}

const MAX_ATTEMPTS = 5;

/**
 * Mail is written to the `outbox` collection first, then sent: a message
 * survives a failed send or a crash and is retried by the sweep (up to 5
 * attempts). Delivery is at least once.
 */
/** `retryMs` (ONRAMP_OUTBOX_RETRY_MS): how often unsent mail is tried again, and how old it must be to be retried. */
export function createOutbox(models: Models, transport: MailTransport, from: string, logger: Logger, retryMs = 5_000) {
  let timer: NodeJS.Timeout | null = null;

  const deliver = async (id: Types.ObjectId) => {
    const msg = await models.outbox.findOneAndUpdate({ _id: id, status: 'pending' }, { $inc: { attempts: 1 } }, { new: true }).lean();
    if (!msg) return;
    try {
      await transport.send({ from, to: msg.to, subject: msg.subject, text: msg.text });
      await models.outbox.updateOne({ _id: id }, { $set: { status: 'sent', sentAt: new Date(), lastError: null } });
    } catch (err) {
      const failed = msg.attempts >= MAX_ATTEMPTS;
      logger.warn({ err, to: msg.to, attempts: msg.attempts }, failed ? 'mail failed for good' : 'mail failed; will retry');
      await models.outbox.updateOne({ _id: id }, { $set: { lastError: String(err).slice(0, 500), ...(failed ? { status: 'failed' } : {}) } });
    }
  };

  const sweep = async () => {
    const due = await models.outbox
      .find({ status: 'pending', createdAt: { $lt: new Date(Date.now() - retryMs) } })
      .limit(50)
      .lean();
    for (const msg of due) await deliver(msg._id);
  };

  return {
    transport: transport.name,
    /** Store the message, then try to send it at once (without making the caller wait for the mail server). */
    async enqueue(to: string, subject: string, text: string): Promise<void> {
      const msg = await models.outbox.create({ to, subject, text });
      void deliver(msg._id).catch((err: unknown) => logger.warn({ err }, 'mail delivery error'));
    },
    start() {
      timer ??= setInterval(() => void sweep().catch((err: unknown) => logger.warn({ err }, 'outbox sweep failed')), retryMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    /** The latest messages (development page /dev/outbox). */
    recent: (limit = 20) => models.outbox.find({}).sort({ createdAt: -1 }).limit(limit).lean(),
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
