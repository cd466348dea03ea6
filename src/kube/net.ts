// IPv4 arithmetic for the cluster's own address spaces (service CIDR, pod CIDRs).

import { intToIp, ipToInt, parseCidr } from '../fabric/placement.js';

export { intToIp, ipToInt, parseCidr };

/** The first usable address of a CIDR (the `kubernetes` service's cluster IP). */
export function firstIp(cidr: string): string {
  return nthIp(cidr, 1);
}

export function nthIp(cidr: string, n: number): string {
  const r = parseCidr(cidr) ?? parseCidr('10.0.0.0/16')!;
  return intToIp(r[0] + n);
}

export function inCidr(ip: string, cidr: string): boolean {
  const r = parseCidr(cidr);
  const n = ipToInt(ip);
  return !!r && n !== undefined && n >= r[0] && n <= r[1];
}

/** The /24 of a pod CIDR given to the node with this index (kubenet and calico hand out one per node). */
export function nodePodCidr(podCidr: string, index: number): string {
  const r = parseCidr(podCidr) ?? parseCidr('10.244.0.0/16')!;
  return `${intToIp(r[0] + index * 256)}/24`;
}
