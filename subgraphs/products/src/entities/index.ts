import { Category } from './category.entity.js';
import { Product } from './product.entity.js';

export const entities = [Category, Product];
