import { MediaAsset } from './media-asset.entity.js';
import { Upload } from './upload.entity.js';

export const entities = [MediaAsset, Upload];
