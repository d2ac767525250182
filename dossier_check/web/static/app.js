/* dossier-check upload page: fill titles and sessions, collect files, send them,
   show the report-v1 JSON as an accessible report. No dependency, no CDN.
   Everything from the server or the user is inserted as text (textContent), never as HTML. */
"use strict";

(function () {
  const NB = "\u00a0";
  const form = document.getElementById("check-form");
  const titleSel = document.getElementById("title");
  const sessionSel = document.getElementById("session");
  const input = document.getElementById("file-input");
  const drop = document.getElementById("dropzone");
  const list = document.getElementById("file-list");
  const noFile = document.getElementById("no-file");
  const submit = document.getElementById("submit");
  const status = document.getElementById("status");
  const result = document.getElementById("result");
  const strict = document.getElementById("strict");

  let titles = [];
  let limits = null;
  const chosen = []; // {file, competence}

  const fmtInt = (n) => Number(n).toLocaleString("fr-FR").replace(/[\u202f ]/g, NB);
  const fmtSize = (n) => {
    if (n >= 1048576) return (n / 1048576).toFixed(1).replace(".", ",").replace(/,0$/, "") + NB + "Mo";
    if (n >= 1024) return Math.round(n / 1024) + NB + "Ko";
    return n + NB + "octets";
  };
  const q = (s) => "«" + NB + s + NB + "»";

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function currentTitle() {
    return titles.find((t) => t.id === titleSel.value) || null;
  }

  function fillSessions() {
    const t = currentTitle();
    const keep = sessionSel.value;
    sessionSel.replaceChildren(el("option", { value: "" }, "Aucune" + NB + ": vérifier chaque document seul"));
    if (!t) return;
    for (const s of t.sessions) {
      const docs = s.documents.length ? s.documents.length + " document" + (s.documents.length > 1 ? "s" : "")
                                      : "pas de production écrite";
      sessionSel.append(el("option", { value: s.id }, (s.id === "titre" ? "Session du titre" : s.name) + " (" + docs + ")"));
    }
    sessionSel.value = [...sessionSel.options].some((o) => o.value === keep) ? keep : "titre";
    if (!sessionSel.value) sessionSel.value = "";
    renderFiles();
  }

  function competenceOptions() {
    const t = currentTitle();
    if (!t) return [];
    const s = t.sessions.find((x) => x.id === sessionSel.value);
    const ids = s && s.documents.length ? s.documents.map((d) => d.id) : t.competences.map((c) => c.id);
    return ids.map((id) => ({ id, name: (t.competences.find((c) => c.id === id) || {}).name || id }));
  }

  function renderFiles() {
    list.replaceChildren();
    noFile.hidden = chosen.length > 0;
    const opts = competenceOptions();
    chosen.forEach((item, i) => {
      if (item.competence && !opts.some((o) => o.id === item.competence)) item.competence = "";
      const selId = "comp-" + i;
      const sel = el("select", { id: selId });
      sel.append(el("option", { value: "" }, "Reconnue automatiquement"));
      for (const o of opts) sel.append(el("option", { value: o.id }, o.name));
      sel.value = item.competence || "";
      sel.addEventListener("change", () => { item.competence = sel.value; });
      const remove = el("button", { type: "button", class: "link-button" }, "Retirer",
                        el("span", { class: "visually-hidden-input" }, " " + item.file.name));
      remove.addEventListener("click", () => {
        chosen.splice(i, 1);
        renderFiles();
        status.textContent = "Fichier retiré" + NB + ": " + item.file.name;
        (list.querySelector("button") || input).focus();
      });
      list.append(el("li", {},
        el("span", { class: "fname" }, item.file.name),
        el("span", { class: "fsize" }, fmtSize(item.file.size)),
        el("span", { class: "fcomp" }, el("label", { for: selId }, "Compétence" + NB + ":"), sel), remove));
    });
  }

  function addFiles(files) {
    for (const f of files) {
      if (!chosen.some((c) => c.file.name === f.name && c.file.size === f.size)) chosen.push({ file: f, competence: "" });
    }
    renderFiles();
    status.classList.remove("error");
    status.textContent = chosen.length + " fichier" + (chosen.length > 1 ? "s" : "") + " prêt" + (chosen.length > 1 ? "s" : "") + " à vérifier.";
  }

  input.addEventListener("change", () => { addFiles(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach((ev) => drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add("over"); }));
  ["dragleave", "drop"].forEach((ev) => drop.addEventListener(ev, () => drop.classList.remove("over")));
  drop.addEventListener("drop", (e) => { e.preventDefault(); if (e.dataTransfer) addFiles(e.dataTransfer.files); });
  titleSel.addEventListener("change", fillSessions);
  sessionSel.addEventListener("change", renderFiles);

  fetch("/api/v1/titles").then((r) => r.json()).then((data) => {
    titles = data.titles || [];
    limits = data.limits || null;
    const keep = titleSel.value;
    titleSel.replaceChildren(...titles.map((t) => el("option", { value: t.id }, t.name + " (" + t.id.toUpperCase() + ", " + t.code + ")")));
    if (titles.some((t) => t.id === keep)) titleSel.value = keep;
    fillSessions();
  }).catch(() => {
    status.classList.add("error");
    status.textContent = "Impossible de charger la liste des titres" + NB + ": rechargez la page.";
  });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    status.classList.remove("error");
    if (!chosen.length) {
      status.classList.add("error");
      status.textContent = "Choisissez au moins un fichier à vérifier.";
      input.focus();
      return;
    }
    if (limits) {
      const total = chosen.reduce((a, c) => a + c.file.size, 0);
      if (chosen.length > limits.max_files || total > limits.max_request_bytes) {
        status.classList.add("error");
        status.textContent = "Envoi trop volumineux (" + fmtSize(total) + ", " + chosen.length + " fichiers)" + NB +
          ": la limite est de " + limits.max_files + " fichiers et " + limits.max_request + " par envoi.";
        return;
      }
    }
    const fd = new FormData();
    fd.append("title", titleSel.value);
    if (sessionSel.value) fd.append("session", sessionSel.value);
    if (strict.checked) fd.append("strict", "true");
    for (const c of chosen) fd.append(c.competence ? "doc." + c.competence : "files", c.file, c.file.name);
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    result.hidden = true;
    status.textContent = "Vérification en cours… (la mise en page des documents peut prendre quelques secondes)";
    try {
      const resp = await fetch("/api/v1/check", { method: "POST", body: fd });
      let body = null;
      try { body = await resp.json(); } catch (_) { body = null; }
      if (!resp.ok || !body || !body.schema) {
        status.classList.add("error");
        status.textContent = (body && body.message) ? body.message : "Le service n’a pas pu vérifier les fichiers (erreur " + resp.status + ").";
        return;
      }
      renderReport(body);
      status.textContent = body.compliant ? "Vérification terminée" + NB + ": dossier conforme." :
        "Vérification terminée" + NB + ": dossier non conforme, voir le détail ci-dessous.";
      result.hidden = false;
      result.focus();
    } catch (err) {
      status.classList.add("error");
      status.textContent = "Le service ne répond pas" + NB + ": vérifiez votre connexion et réessayez.";
    } finally {
      submit.disabled = false;
      submit.removeAttribute("aria-busy");
    }
  });

  // ------------------------------------------------------------------ report

  function verdict(ok, okText, koText) {
    return el("span", { class: "verdict " + (ok ? "ok" : "ko") },
      el("span", { class: "icon", "aria-hidden": "true" }, ok ? "✔" : "✘"), ok ? okText : koText);
  }

  function problemList(problems) {
    const ul = el("ul", { class: "problems" });
    for (const p of problems) {
      const err = p.severity === "error";
      ul.append(el("li", {},
        el("span", { class: "sev " + p.severity }, (err ? "✘ Erreur" : "⚠ Avertissement") + NB + ": "),
        p.message || p.code));
    }
    return ul;
  }

  function gauge(label, m, unit) {
    const lo = m.min, hi = m.max, v = m.counted;
    const top = Math.max(hi * 1.25, v * 1.05, 1);
    const pct = (x) => Math.min(100, Math.max(0, (x / top) * 100)).toFixed(2) + "%";
    let where = "dans l’intervalle attendu";
    if (v < lo) where = fmtInt(lo - v) + " " + unit + " de moins que le minimum";
    else if (v > hi) where = fmtInt(v - hi) + " " + unit + " de plus que le maximum";
    const box = el("div", { class: "measure" });
    box.append(el("div", {},
      el("span", { class: "label" }, label + NB + ": "),
      el("span", { class: "value" + (m.ok ? "" : " bad") }, (m.ok ? "✔ " : "✘ ") + fmtInt(v) + " " + unit),
      " (attendu" + NB + ": " + fmtInt(lo) + " à " + fmtInt(hi) + ", " + where + ")"));
    const g = el("div", { class: "gauge", "aria-hidden": "true" });
    const range = el("div", { class: "range" });
    range.style.left = pct(lo);
    range.style.width = "calc(" + pct(hi) + " - " + pct(lo) + ")";
    const mark = el("div", { class: "mark" + (m.ok ? "" : " bad") });
    mark.style.left = pct(v);
    g.append(range, mark);
    box.append(g, el("div", { class: "gauge-scale", "aria-hidden": "true" }, el("span", {}, "0"), el("span", {}, fmtInt(Math.round(top)))));
    return box;
  }

  const SOURCES = { pdf: "pages du PDF", layout: "mise en page LibreOffice", metadata: "statistiques enregistrées par le traitement de texte", estimate: "estimation d’après la longueur du texte" };
  const REASONS = { cover: "page de garde", toc: "sommaire" };
  const ELEMENT = { present: ["✔", "présent", "el-present"], weak: ["≈", "à vérifier", "el-weak"], missing: ["✘", "manquant", "el-missing"] };

  function renderDocument(d) {
    const card = el("article", { class: "doc", "aria-label": d.file });
    card.append(el("div", { class: "doc-head" }, el("h3", {}, d.file), verdict(d.compliant, "Conforme", "Non conforme")));
    const comp = d.competence ? (d.competence_name || d.competence) : null;
    const src = { content: "reconnue au contenu", filename: "d’après le nom du fichier", user: "indiquée à l’envoi" }[d.competence_source] || "";
    card.append(el("p", { class: "meta" },
      (d.format ? d.format.toUpperCase() + " · " : "") + (comp ? "Compétence" + NB + ": " + comp + (src ? " (" + src + ")" : "") : "Compétence non reconnue")));
    if (d.pages) {
      card.append(gauge("Pages comptées", d.pages, "pages"));
      const ex = (d.pages.excluded || []).map((x) => "page " + x.page + " (" + (REASONS[x.reason] || x.reason) + ")");
      card.append(el("p", { class: "help" }, "Total du fichier" + NB + ": " + fmtInt(d.pages.total) + " pages" +
        (ex.length ? " · exclues" + NB + ": " + ex.join(", ") : " · aucune page exclue") +
        " · source" + NB + ": " + (SOURCES[d.pages.source] || d.pages.source)));
    }
    if (d.characters) {
      card.append(gauge("Caractères comptés (espaces compris)", d.characters, "caractères"));
      const c = d.characters;
      const det = el("details", {}, el("summary", {}, "Détail des caractères"));
      const tb = el("table", { class: "breakdown" }, el("caption", { class: "help" }, "Où sont les caractères comptés et ce qui est exclu"));
      const row = (k, v) => el("tr", {}, el("th", { scope: "row" }, k), el("td", { class: "num" }, fmtInt(v)));
      const b = c.breakdown || {};
      const labels = { body: "Texte courant", tables: "Tableaux", text_boxes: "Zones de texte et formes", notes: "Notes" };
      for (const [k, lab] of Object.entries(labels)) if (b[k] !== undefined) tb.append(row(lab, b[k]));
      tb.append(row("Total compté", c.counted));
      const exl = b.excluded || {};
      const exLabels = { cover: "Exclu" + NB + ": page de garde", toc: "Exclu" + NB + ": sommaire", headers_footers: "Exclu" + NB + ": en-têtes et pieds de page" };
      for (const [k, v] of Object.entries(exl)) tb.append(row(exLabels[k] || "Exclu" + NB + ": " + k, v));
      if (c.total !== undefined) tb.append(row("Tout le fichier (compteur du traitement de texte)", c.total));
      if (c.stored && c.stored.value !== undefined) tb.append(row("Enregistré dans le fichier" + (c.stored.application ? " par " + c.stored.application : ""), c.stored.value));
      det.append(tb);
      card.append(det);
    }
    if (d.problems && d.problems.length) {
      card.append(el("h4", {}, "Problèmes"), problemList(d.problems));
    }
    if (d.elements && d.elements.length) {
      const missing = d.elements.filter((x) => x.status !== "present").length;
      const det = el("details", { open: missing ? true : null },
        el("summary", {}, "Éléments attendus (" + (d.elements.length - missing) + " sur " + d.elements.length + " trouvés)"));
      const ul = el("ul", { class: "elements" });
      for (const x of d.elements) {
        const [icon, word, cls] = ELEMENT[x.status] || ["?", x.status, ""];
        const li = el("li", {}, el("span", { class: cls }, icon + " " + word + NB + ": "), x.label);
        if (x.advice && x.status !== "present") li.append(el("span", { class: "advice" }, x.advice));
        const ev = (x.evidence || [])[0];
        if (ev && ev.text) {
          li.append(el("span", { class: "evidence" }, q(ev.text) + (ev.page ? " (page " + ev.page + ")" : "")));
        }
        ul.append(li);
      }
      det.append(ul);
      card.append(det);
    }
    for (const n of d.notes || []) card.append(el("p", { class: "help" }, typeof n === "string" ? n : (n.message || "")));
    return card;
  }

  function renderReport(r) {
    result.replaceChildren();
    result.append(el("h2", { id: "result-title" }, "Résultat"));
    const ref = r.referentiel || {};
    result.append(el("p", { class: "meta" }, (ref.name || r.title) + " (" + (ref.code || "") + ")" +
      (r.session ? " · " + (r.session_name || r.session) : " · chaque document vérifié seul")));
    result.append(el("p", { class: "dossier-verdict" },
      verdict(r.compliant, r.session ? "Dossier conforme" : "Tous les documents sont conformes",
                           r.session ? "Dossier non conforme" : "Au moins un document n’est pas conforme")));
    const dossier = r.dossier || {};
    if (dossier.problems && dossier.problems.length) {
      result.append(el("h3", {}, "Problèmes du dossier"), problemList(dossier.problems));
    }
    for (const d of r.documents || []) result.append(renderDocument(d));
  }

  renderFiles();
})();
