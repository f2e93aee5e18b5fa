import type { ReportResolvers, ReportSubjectResolvers } from '../generated/resolvers.js';
import { Comment } from '../entities/comment.entity.js';
import { Post } from '../entities/post.entity.js';
import { Review } from '../entities/review.entity.js';
import { ref } from '../refs.js';
import { visibleTo } from '../services/visibility.js';

export const Report: ReportResolvers = {
  reporter: (report) => ref(report.reporterId),
  resolvedBy: (report) => (report.resolvedById ? ref(report.resolvedById) : null),
  subject: async ({ subjectType, subjectId }, _, ctx) => {
    switch (subjectType) {
      case 'REVIEW':
        return visibleTo(ctx, await ctx.loaders.review.load(subjectId));
      case 'POST':
        return visibleTo(ctx, await ctx.loaders.post.load(subjectId));
      case 'COMMENT':
        return visibleTo(ctx, await ctx.loaders.comment.load(subjectId));
    }
  },
};

const SUBJECT_TYPES = new Set([Review.name, Post.name, Comment.name]);

/**
 * Subjects are entities loaded by the ORM, whose class (generated for a defineEntity schema)
 * carries the entity's name, which is also the GraphQL type's name.
 */
export const ReportSubject: ReportSubjectResolvers = {
  __resolveType: (subject) => {
    const name = subject.constructor.name;
    if (!SUBJECT_TYPES.has(name)) throw new TypeError(`Unknown report subject ${name}`);
    return name as 'Review' | 'Post' | 'Comment';
  },
};
