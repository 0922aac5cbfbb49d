package eval

import (
	"github.com/veille/veille/schema"
)

func rel(n int) *int { return &n }

// frenchCard is a card in the layout of the seed: French text, relevancy in
// the signals table only.
func frenchCard() *schema.Card {
	return &schema.Card{
		URL:    "https://www.example.org/posts/ia-fonction-publique",
		Origin: &schema.Link{Label: "20250615d", URL: "https://kghosh.substack.com/p/20250615d"},
		Answer: schema.Answer{
			Title:    "Promouvoir une utilisation responsable de l'IA générative dans la fonction publique québécoise.",
			Keywords: []string{"IA générative", "fonction publique", "Québec", "innovation", "KPMG"},
			Themes:   []string{"intelligence artificielle", "productivité", "gouvernance", "éducation", "risques"},
			Category: schema.CategoryPolitics,
			Type:     schema.TypeSocialNetwork,
			Summary: "L'auteur exprime son malaise face à l'interdiction de l'IA générative dans la fonction publique, " +
				"arguant que cela pourrait nuire à la productivité gouvernementale. Bien qu'il reconnaisse les risques " +
				"associés à cette technologie, il affirme que ceux-ci peuvent être atténués grâce à des politiques et des " +
				"formations appropriées.",
			Signals: []schema.Signal{
				{Name: "Réserves sur l'IA générative dans la fonction publique", Description: "Inquiétudes quant à l'interdiction de l'IA générative au sein du gouvernement.",
					Change: "Passage d'une prudence extrême à une adoption encadrée de l'IA générative.", TenYear: "L'IA générative pourrait être intégrée de manière sécurisée dans les processus gouvernementaux.",
					DrivingForce: "Optimiser la productivité gouvernementale tout en minimisant les risques associés.", Relevancy: rel(4)},
				{Name: "Monde du travail et utilisation informelle de l'IA", Description: "Utilisation croissante de l'IA en dépit des politiques d'interdiction.",
					Change: "Transition d'un usage restreint à un usage rampant et non régulé.", TenYear: "L'IA pourrait devenir un outil omniprésent au travail, malgré des règles formelles.",
					DrivingForce: "Recherche d'efficacité et de compétitivité dans un environnement de travail exigeant.", Relevancy: rel(5)},
				{Name: "Besoin d'éducation sur l'IA générative", Description: "Appels à une meilleure éducation concernant l'utilisation de l'IA.",
					Change: "Changement d'une mécompréhension à une sensibilisation et éducation souhaitées.", TenYear: "Une main-d'œuvre mieux éduquée pourrait utiliser l'IA de manière plus responsable et efficace.",
					DrivingForce: "Répondre aux craintes en offrant une formation adaptée pour une meilleure évaluation des risques.", Relevancy: rel(4)},
				{Name: "Différence de vision entre province et fédéral sur l'IA", Description: "Contraste entre la position du gouvernement provincial et celle du fédéral sur l'IA.",
					Change: "D'un rejet au sein du provincial à une acceptation au fédéral.", TenYear: "Une coordination améliorée sur les politiques d'IA entre province et fédéral.",
					DrivingForce: "Reconnaissance croissante des bénéfices de l'IA pour la productivité et l'innovation.", Relevancy: rel(3)},
			},
			Concerns: []schema.Row{
				{Name: "Decreased Productivity in Public Sector", Description: "Restricting generative AI in the public sector may drastically reduce government productivity."},
				{Name: "Informal Use of Banned AI Tools", Description: "Prohibition of generative AI might lead to informal and possibly insecure usage."},
				{Name: "Intellectual Dependency on AI", Description: "Users may rely too heavily on AI, shifting responsibility away from human judgment."},
				{Name: "Lack of Education and Awareness", Description: "Insufficient education about generative AI can elevate fears and hinder risk assessment."},
			},
			Behaviors: []schema.Row{
				{Name: "Advocacy for Responsible AI", Description: "Pushing for the integration of generative AI into public functions with safeguards."},
				{Name: "Risk Mitigation through Education", Description: "Emphasizing the need for education on AI risks at all organizational levels."},
			},
			Technologies: []schema.Row{
				{Name: "IA générative", Description: "Technologie qui permet de générer du contenu original en utilisant des algorithmes d'intelligence artificielle."},
				{Name: "Modèles d'IA localisés", Description: "Solutions d'intelligence artificielle déployées au sein des entreprises pour maîtriser les risques."},
			},
			Issues: []schema.Row{
				{Name: "Risques de l'IA générative dans la fonction publique", Description: "Les défis de l'utilisation de l'IA générative dans la fonction publique."},
				{Name: "Gouvernance et politiques de l'IA", Description: "L'importance de mettre en place une gouvernance pour encadrer l'utilisation de l'IA générative."},
			},
		},
	}
}

// englishCard is a card about another article, in English.
func englishCard() *schema.Card {
	return &schema.Card{
		URL: "https://www.example.com/2022/12/01/united-airlines-batteries",
		Answer: schema.Answer{
			Title:    "Airlines Face Electrification Challenges Amid Sustainability Goals",
			Keywords: []string{"airlines", "electrification", "energy storage", "United Airlines", "sustainable aviation fuel"},
			Themes:   []string{"aviation", "sustainability", "energy storage"},
			Category: schema.CategoryTechnology,
			Type:     schema.TypeBlogPost,
			Summary: "Airlines are facing challenges in electrifying their operations due to inadequate power infrastructure " +
				"at airports. United Airlines has invested in Natron Energy, a battery manufacturer, to help address the issue.",
			Signals: []schema.Signal{
				{Name: "Airline Investments in Energy Storage", Description: "United Airlines invests in Natron Energy for sodium-ion batteries.",
					Change: "Airlines shift from fuel dependency to energy storage solutions.", TenYear: "Airports run on stored renewable electricity.",
					DrivingForce: "Pressure to cut aviation emissions.", Relevancy: rel(4)},
				{Name: "Airport Infrastructure Challenges", Description: "Airports struggle to provide enough power for electrified aircraft and equipment.",
					Change: "From fuel infrastructure to electricity.", TenYear: "Airports become energy hubs.",
					DrivingForce: "Electrification of ground equipment.", Relevancy: rel(5)},
				{Name: "Growth of Electric Air Taxis", Description: "Investment in electric air taxi companies like Archer and Eve Air Mobility.",
					Change: "From taxis to electric air mobility.", TenYear: "Electric air taxis serve city routes.",
					DrivingForce: "Urban congestion and venture funding.", Relevancy: rel(3)},
			},
			Concerns: []schema.Row{
				{Name: "Battery Supply Limitations", Description: "Dependence on sodium-ion batteries may face supply chain issues."},
				{Name: "Power Infrastructure Challenges", Description: "Airports may lack the power infrastructure to support electrification."},
			},
			Technologies: []schema.Row{
				{Name: "Sodium-ion batteries", Description: "Batteries using sodium ions, cheaper and safer than lithium-ion for stationary storage."},
			},
		},
	}
}
