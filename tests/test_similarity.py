"""Similar passages between candidates' documents."""
from dossier_check.similarity import DEFAULT_THRESHOLD, find_similar

VEILLE_A = (
    "Au sein de l'agence Ouest de la société Agrinova, le service commercial compte quatre technico-"
    "commerciaux itinérants et une assistante commerciale. J'ai mis en place un système de veille "
    "concurrentielle afin de repérer les nouveaux acteurs du marché des équipements de traite. "
    "Chaque lundi, je consultais les alertes Google paramétrées sur les noms de nos trois principaux "
    "concurrents, puis je relevais les prix affichés sur leurs sites marchands dans un tableau partagé. "
    "Les salons professionnels, notamment le Space de Rennes, m'ont permis de rencontrer les fabricants "
    "et de recueillir leurs catalogues. J'ai choisi ces sources parce qu'elles donnent une information "
    "récente sur les prix, alors que les études sectorielles payantes arrivent avec six mois de retard. "
    "Les comptes rendus de visite des commerciaux complètent ce dispositif : ils notent les remarques des "
    "éleveurs sur les offres concurrentes, ce qui nous a permis de repérer une remise agressive de "
    "Lactaline sur les robots de traite au printemps."
)

VEILLE_B = (
    "Le magasin Bricoplus de Villefranche emploie douze vendeurs répartis entre le rayon outillage et le "
    "rayon jardin ; je travaille au sein de l'équipe commerciale chargée des clients professionnels. "
    "Pour suivre les enseignes concurrentes, j'ai organisé des relevés de prix mensuels dans les deux "
    "grandes surfaces de bricolage de la zone commerciale et j'ai abonné le service à la lettre "
    "d'information d'une fédération du négoce. Les avis publiés par les clients sur les plateformes en "
    "ligne donnent aussi des indications sur la qualité du service chez nos concurrents. J'ai retenu ces "
    "sources car les relevés sur place sont fiables et gratuits, tandis que la presse spécialisée apporte "
    "les tendances nationales. Le tableau de bord que j'ai construit compare chaque mois nos prix à ceux "
    "des deux enseignes voisines sur une centaine de références."
)


def _docs(*pairs):
    return [{"candidate": c, "file": f, "competence": "veille", "text": t} for c, f, t in pairs]


def test_near_copy_is_flagged_with_shared_passages():
    # Marie copies Paul's document, changes the company name and a few words, adds a sentence.
    copy = (VEILLE_A.replace("Agrinova", "Agrimat").replace("Chaque lundi", "Tous les lundis")
            + " Cette veille a été présentée à mon responsable lors de la réunion mensuelle.")
    pairs = find_similar(_docs(("DUPONT Paul", "paul/veille.docx", VEILLE_A),
                               ("MARTIN Marie", "marie/veille.docx", copy),
                               ("DURAND Léa", "lea/veille.docx", VEILLE_B)))
    assert len(pairs) == 1
    p = pairs[0]
    assert {p.a.candidate, p.b.candidate} == {"DUPONT Paul", "MARTIN Marie"}
    assert p.similarity > 0.8
    # The longest shared passage is quoted verbatim from the document.
    assert "je consultais les alertes Google paramétrées sur les noms de nos trois principaux" in p.passages[0]
    assert all(q.replace(" […]", "") in " ".join(VEILLE_A.split()) or q in " ".join(copy.split())
               for q in p.passages)


def test_different_documents_on_same_subject_are_not_flagged():
    pairs = find_similar(_docs(("DUPONT Paul", "a.docx", VEILLE_A), ("DURAND Léa", "b.docx", VEILLE_B)))
    assert pairs == []


def test_same_candidate_and_other_competence_are_not_compared():
    docs = _docs(("DUPONT Paul", "veille.docx", VEILLE_A), ("DUPONT Paul", "veille-v2.docx", VEILLE_A))
    assert find_similar(docs) == []
    other = [{"candidate": "MARTIN Marie", "file": "plan.docx", "competence": "plan-actions", "text": VEILLE_A}]
    assert find_similar(docs[:1] + other) == []


def test_partial_copy_is_caught_by_containment():
    # Half of Paul's text pasted inside an otherwise original document.
    half = VEILLE_A[: len(VEILLE_A) // 2]
    mixed = VEILLE_B + " " + half
    pairs = find_similar(_docs(("DUPONT Paul", "a.docx", VEILLE_A), ("DURAND Léa", "b.docx", mixed)))
    assert len(pairs) == 1
    assert pairs[0].similarity >= DEFAULT_THRESHOLD
    assert pairs[0].jaccard < pairs[0].similarity


def test_former_documents_are_compared_with_the_class():
    former = [{"candidate": None, "file": "2024/veille-ancien.pdf", "competence": None, "text": VEILLE_A}]
    pairs = find_similar(_docs(("DURAND Léa", "b.docx", VEILLE_B), ("DUPONT Paul", "a.docx", VEILLE_A)), former)
    assert len(pairs) == 1
    assert pairs[0].b.candidate is None and pairs[0].b.file == "2024/veille-ancien.pdf"
    assert pairs[0].a.candidate == "DUPONT Paul"


def test_template_text_shared_by_most_documents_is_ignored():
    template = ("Le candidat présente brièvement le service commercial concerné et décrit le système de veille "
                "mis en place ainsi que les sources d'information qui ont permis de repérer les concurrents. ")
    docs = _docs(("A", "a", template + VEILLE_A), ("B", "b", template + VEILLE_B),
                 *[(name, name.lower(), template + text) for name, text in OTHERS])
    assert find_similar(docs, min_shared=3) == []


OTHERS = [
    ("C", "Texte sans rapport sur la fidélisation des clients d'une banque mutualiste de province."),
    ("D", "Une menuiserie de Vendée suit les prix du bois chez trois négociants et sur deux places de marché."),
    ("F", "Le garage Dubreuil compare chaque mois ses tarifs d'entretien avec ceux des centres auto voisins."),
    ("G", "Chez un grossiste en fruits, la veille porte sur les cours du marché de Rungis et la météo."),
]


def test_three_identical_documents_in_a_small_group_are_flagged():
    """In a small group, text common to every document is a copy, not a template."""
    docs = _docs(("A", "a", VEILLE_A), ("B", "b", VEILLE_A), ("C", "c", VEILLE_A))
    pairs = find_similar(docs)
    assert {(p.a.candidate, p.b.candidate) for p in pairs} == {("A", "B"), ("A", "C"), ("B", "C")}


def test_text_shared_by_most_of_the_competence_group_is_template_but_a_copy_still_shows():
    plan = ("Introduction présentation de l'entreprise et du service commercial puis description du système "
            "de veille mis en place les sources d'information retenues et la justification de leur choix "
            "enfin les concurrents identifiés leur positionnement les résultats obtenus et les limites. ")
    own = ["La boulangerie industrielle Panorient livre cent vingt points de vente en Occitanie et "
           "cherche à mieux connaître les enseignes qui la concurrencent sur le segment du pain bio.",
           "Notre cabinet d'expertise comptable accompagne les artisans du bâtiment ; la veille porte sur les "
           "offres de tenue de comptes en ligne qui attirent nos clients les plus jeunes."]
    docs = _docs(("A", "a", plan + VEILLE_A), ("B", "b", plan + VEILLE_B),
                 ("C", "c", plan + own[0]), ("D", "d", plan + own[1]),
                 ("E", "e", plan + VEILLE_A.replace("Agrinova", "Agrimax")),
                 *[(name, name.lower(), plan + text) for name, text in OTHERS[1:]])
    pairs = find_similar(docs)
    assert [(p.a.candidate, p.b.candidate) for p in pairs] == [("A", "E")]
    assert all("système de veille mis en place les sources" not in q for q in pairs[0].passages)
