export { defineJob, deadLetterName, type JobDefinition, type JobOptions } from './define-job.js';
export {
  createJobQueue,
  type EnqueueOptions,
  type JobHandler,
  type JobQueue,
  type JobQueueOptions,
  type JobRun,
} from './job-queue.js';
export { handledOnce } from './handled-once.js';
export { readJobsMode, runsWorkers, type JobsMode } from './jobs-mode.js';
export { transactionExecutor } from './outbox.js';
export { cronEvery } from './cron.js';
export { auditJob, enqueueAudit, workAudit, type AuditEntry } from './audit.js';
export { enqueueMailRequest, mailRequestJob, workMailRequests, type MailRequest } from './mail-request.js';
export {
  defineReadModelFeed,
  type FeedPayload,
  type ReadModelFeed,
  type ReadModelFeedDefinition,
} from './read-model-feed.js';
