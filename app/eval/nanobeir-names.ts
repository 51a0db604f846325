/**
 * The 13 NanoBEIR datasets and the names sentence-transformers' `SparseNanoBEIREvaluator` gives them: a dataset is
 * reported as `Nano{Name}` (NanoMSMARCO, NanoNFCorpus, ...) and the aggregate as `NanoBEIR_mean`. They live on the
 * Hugging Face Hub as `zeta-alpha-ai/Nano{Name}` (configs corpus / queries / qrels, split `train`) and, together,
 * `sentence-transformers/NanoBEIR-en`; the README says how to turn one into a BEIR folder.
 */
export const NANOBEIR_DATASETS: Readonly<Record<string, string>> = {
  climatefever: 'ClimateFEVER',
  dbpedia: 'DBPedia',
  fever: 'FEVER',
  fiqa2018: 'FiQA2018',
  hotpotqa: 'HotpotQA',
  msmarco: 'MSMARCO',
  nfcorpus: 'NFCorpus',
  nq: 'NQ',
  quoraretrieval: 'QuoraRetrieval',
  scidocs: 'SCIDOCS',
  arguana: 'ArguAna',
  scifact: 'SciFact',
  touche2020: 'Touche2020',
};

/** The name of the aggregate column when every dataset is a NanoBEIR one (`NanoBEIR_mean_dot_ndcg@10`, ...). */
export const NANOBEIR_MEAN = 'NanoBEIR_mean';

/**
 * The reference's name for a dataset folder: `Nano{Name}` when the folder is named after a NanoBEIR set
 * (`NanoMSMARCO`, `nanomsmarco`, `NanoBEIR-NFCorpus`, `nano_scifact`: any case, the `Nano` prefix required, so that
 * a full BEIR `msmarco` folder is not taken for the nano one), else the folder's name.
 */
export function datasetName(folderName: string): { name: string; nanoBeir: boolean } {
  const flat = folderName.toLowerCase().replace(/[^a-z0-9]/g, '');
  const key = flat.replace(/^nanobeir/, '').replace(/^nano/, '');
  const readable = key !== flat ? NANOBEIR_DATASETS[key] : undefined;
  return readable ? { name: `Nano${readable}`, nanoBeir: true } : { name: folderName, nanoBeir: false };
}
