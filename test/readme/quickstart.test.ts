// README.md's sections run by this file: the quick start's cluster, the same by hand, and az on it (the README's first
// chain: by-hand lists the quick start's group, az continues its cluster).
// Against an emulator of this file's own, started with the README's `npm start` (test/support/readme.ts).
import { describeReadmeSections } from '../support/readme.js';

describeReadmeSections('quickstart');
