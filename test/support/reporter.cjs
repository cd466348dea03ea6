// mocha's spec reporter plus a plain closing line ("N passed, N failed, N skipped") that CI reads.
// CommonJS because mocha loads reporters with require().
'use strict';
const Mocha = require('mocha');

class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => {
      const s = this.stats;
      console.log(`${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
    });
  }
}

module.exports = SpecWithSummary;
