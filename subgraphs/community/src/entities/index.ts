import { Comment } from './comment.entity.js';
import { Follow } from './follow.entity.js';
import { Post } from './post.entity.js';
import { RatingAggregate } from './rating-aggregate.entity.js';
import { Report } from './report.entity.js';
import { Review } from './review.entity.js';

export const entities = [Review, RatingAggregate, Post, Comment, Follow, Report];
