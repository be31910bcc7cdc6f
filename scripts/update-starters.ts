/** Kit authors: rewrite labs/starters.json from the learner files committed at HEAD (src/kit/starters.ts). */
import { listLabs, loadLab } from "../src/kit/labs.js";
import { manifestFromHead, writeManifest } from "../src/kit/starters.js";

const labs = await Promise.all(listLabs().map(async (e) => ({ folder: e.folder, learnerFiles: (await loadLab(e)).learnerFiles })));
const files = manifestFromHead(labs);
writeManifest(files);
console.log(`labs/starters.json: ${Object.keys(files).length} starters.`);
