// README.md's sections run by this file: az in the Hub profile on the Azure Stack Hub stamp, and the admin API on a
// second emulator of its own.
// Against an emulator of this file's own (package.json's start script; test/support/readme.ts).
import { describeReadmeSections } from '../support/readme.js';

describeReadmeSections('hub');
