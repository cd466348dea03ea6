// README.md's sections run by this file: the Arc platform on the HCI site, AKS hybrid clusters on it with the az
// extensions' stand-ins and with az rest, then the platform taken down (one chain).
// Against an emulator of this file's own (package.json's start script; test/support/readme.ts).
import { describeReadmeSections } from '../support/readme.js';

describeReadmeSections('arc');
