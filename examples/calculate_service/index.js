'use strict';
// A service package's entry module: each published name is an exported function.
exports.add = (a, b) => a + b;
exports.minus = (a, b) => a - b;
exports.divide = (a, b) => {
  if (b === 0) throw new RangeError('division by zero');
  return a / b;
};
