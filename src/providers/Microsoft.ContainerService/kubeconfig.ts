// Cluster credentials and kubeconfigs moved to src/kubernetes/kubeconfig.ts (shared with the AKS
// hybrid provider); kept here so existing imports still resolve.
export * from '../../kubernetes/kubeconfig.js';
