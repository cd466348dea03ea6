// README.md's sections run by this file: Ansible's azure.azcollection: examples/ansible/aks.yml twice (the second run
// changes nothing but the deployment), then its teardown.
// Against an emulator of this file's own (package.json's start script; test/support/readme.ts).
import { describeReadmeSections } from '../support/readme.js';

describeReadmeSections('ansible');
