// README.md's sections run by this file: the Azure SDK for JavaScript (its own project, npm install), Debian's Python
// SDK, az aks beyond create/delete (command invoke, node images, snapshots) and the templates of arm-templates/.
// Against an emulator of this file's own (package.json's start script; test/support/readme.ts).
import { describeReadmeSections } from '../support/readme.js';

describeReadmeSections('sdks');
