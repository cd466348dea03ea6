// README.md: every code block a user would run is marked, each section of the second terminal is run by one file
// of test/readme/ (the sections' files run them), and the configuration examples are accepted.
import { describeReadmeBlocks } from '../support/readme.js';

describeReadmeBlocks();
