#!/usr/bin/env python3
"""Generate the illustrative program inventories (事務事業) used by the example scenarios.

    python3 tools/make-example-inventories.py            # writes scenarios/*.csv

Deterministic (fixed seed, stdlib only); runs from a clone and reads nothing outside it. Outputs:
  scenarios/kitakyushu-r8-programs.csv   600 programs, Kitakyushu FY2026 (illustrative)
  scenarios/kumamoto-r8-programs.csv     300 programs, Kumamoto FY2026 (illustrative)
The real cluster list, scenarios/kitakyushu-clusters.csv ([K-CLUSTERS]), is kept as published and
not generated; the templates below refer to its 57 cluster ids.

Programs, names, splits and attributes are ILLUSTRATIVE. The following totals are
made to hold exactly because they are REAL (docs/sources.md gives each one's public source and
the passage it comes from: [K-BUDGET], [K-PROGRESS], [KM-BUDGET]):
  Kitakyushu: Σ requested = 6,476.84億円, Σ requested(investment) = 644億円,
              Σ requested×bondable_share = 375億円
  Kumamoto:   Σ requested = 4,378億円, Σ requested(mandatory) = 2,603億円,
              Σ requested×bondable_share = 339億円
All money is in whole 千円 (1億円 = 100,000千円).
"""
import csv
import os
import random
import sys

SEED = 20260401
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "scenarios")
OKU = 100_000  # 千円 per 億円

HEADER = ["id", "name", "department", "cluster", "kind", "prior_cost", "requested",
          "subsidy_ratio", "fees", "bondable_share", "strategy", "next_generation",
          "all_or_nothing", "demand_trend", "satisfaction", "overlap_with", "service_level",
          "digital_share", "private_capacity", "outsourced", "natural_savings",
          "kpi_indicator", "kpi_baseline", "kpi_target", "kpi_actual", "kpi_direction"]

# --------------------------------------------------------------------------------------
# Bureaus
# --------------------------------------------------------------------------------------
KK_BUREAUS = [
    ("seisaku", "政策局"), ("somu", "総務局"), ("zaisei_henkaku", "財政・変革局"),
    ("kiki_kanri", "危機管理室"), ("shimin_bunka_sports", "市民文化スポーツ局"),
    ("hoken_fukushi", "保健福祉局"), ("kodomo_katei", "子ども家庭局"), ("kankyo", "環境局"),
    ("sangyo_keizai", "産業経済局"), ("toshi_brand", "都市ブランド創造局"),
    ("toshi_senryaku", "都市戦略局"), ("toshi_seibi", "都市整備局"), ("kensetsu", "建設局"),
    ("kowan_kuko", "港湾空港局"), ("shobo", "消防局"), ("kyoiku", "教育委員会"),
    ("moji_ku", "門司区役所"), ("kokurakita_ku", "小倉北区役所"),
    ("wakamatsu_ku", "若松区役所"), ("yahatanishi_ku", "八幡西区役所"),
]
KK_WARDS = ["門司区", "小倉北区", "小倉南区", "若松区", "八幡東区", "八幡西区", "戸畑区"]
KK_WARD_BUREAUS = [("moji_ku", "門司区"), ("kokurakita_ku", "小倉北区"),
                   ("wakamatsu_ku", "若松区"), ("yahatanishi_ku", "八幡西区")]

KM_BUREAUS = [
    ("seisaku", "政策局"), ("somu", "総務局"), ("zaisei", "財政局"),
    ("bunka_shimin", "文化市民局"), ("kenko_fukushi", "健康福祉局"), ("kodomo", "こども局"),
    ("kankyo", "環境局"), ("keizai_kanko", "経済観光局"), ("nosui", "農水局"),
    ("toshi_kensetsu", "都市建設局"), ("shobo", "消防局"), ("kyoiku", "教育委員会"),
    ("chuo_ku", "中央区役所"), ("higashi_ku", "東区役所"),
]
KM_WARDS = ["中央区", "東区", "西区", "南区", "北区"]
KM_WARD_BUREAUS = [("chuo_ku", "中央区"), ("higashi_ku", "東区")]
# Kitakyushu bureau (the template's domain) -> Kumamoto bureau
KM_MAP = {
    "seisaku": "seisaku", "somu": "somu", "zaisei_henkaku": "zaisei", "kiki_kanri": "seisaku",
    "shimin_bunka_sports": "bunka_shimin", "hoken_fukushi": "kenko_fukushi",
    "kodomo_katei": "kodomo", "kankyo": "kankyo", "sangyo_keizai": "keizai_kanko",
    "toshi_brand": "keizai_kanko", "toshi_senryaku": "toshi_kensetsu",
    "toshi_seibi": "toshi_kensetsu", "kensetsu": "toshi_kensetsu", "shobo": "shobo",
    "kyoiku": "kyoiku",
}

# --------------------------------------------------------------------------------------
# Program templates: bureau | kind | cluster | weight(億円, relative) | tags | name | kpi
#  kind: P personnel, A social assistance & statutory transfers, B debt service (all three
#        -> mandatory), D discretionary, I investment, N new initiative
#  tags: sX subsidy ratio, fX fee ratio, E/H/S strategy, G next generation, Q has
#        procedures (digital_share), W one per ward, R one per ward-office bureau,
#        K Kitakyushu only, M Kumamoto only (bureau is then a Kumamoto id), L subsidised
#        investment (lower bondable share), Z investment without bonds, agri -> 農水局
#  kpi: indicator text; a leading '-' means smaller is better (kpi_direction = lower).
# --------------------------------------------------------------------------------------
TEMPLATES = r"""
seisaku|D|8|40|K H|北九州市立大学運営費交付金|志願倍率（倍）
seisaku|D|1|3|E|シティプロモーション推進事業|市外における都市イメージ評価（％）
seisaku|D|1|4|Q|市政だより発行事業|市政だより閲読率（％）
seisaku|D|1|1.2|Q|市公式ウェブサイト・SNS運営事業|SNSフォロワー数（人）
seisaku|D|2|2.5|E Q|移住・定住促進事業|移住者数（人）
seisaku|D|2|1.5|E|UIJターン就職支援事業|UIJターン就職者数（人）
seisaku|D|3|1.2|H|SDGs未来都市推進事業|SDGs登録事業者数（社）
seisaku|D|7|1.5||国際交流推進事業|国際交流事業参加者数（人）
seisaku|D|7|0.6||姉妹友好都市交流事業|交流事業実施件数（件）
seisaku|D|7|0.8||多文化共生推進事業|外国人相談件数（件）
seisaku|D|9|0.8|H|女性活躍推進事業|女性の就業率（％）
seisaku|D|9|2.2|f0.05|男女共同参画センター管理運営事業|利用者数（人）
seisaku|D|6|0.6|Q|市民の声（広聴）事業|市民の声受付件数（件）
seisaku|D|52|0.8||政策調査・分析事業|政策提言件数（件）
seisaku|D|1|0.5||市制記念事業|参加者数（人）
seisaku|D|6|0.4|M Q|市民意見ビッグデータ分析事業|市政に関する必要な情報を入手できていると感じる市民の割合（％）
seisaku|D|29|1.5|E G|地域課題解決型オープンイノベーション事業|実証件数（件）
seisaku|D|2|0.7|E|関係人口創出事業|関係人口登録者数（人）
somu|P|53|110||退職手当|
somu|D|53|1.5||職員研修事業|研修受講者数（人）
somu|D|53|1.0||職員採用事業|職員採用試験競争倍率（倍）
somu|D|53|2.0||職員健康管理事業|ストレスチェック受検率（％）
somu|D|53|3.0||職員福利厚生事業|職員満足度スコア（点）
somu|D|50|1.5|Q|電子入札システム運用事業|電子入札実施率（％）
somu|D|50|0.6||契約事務改善事業|一者応札率（％）
somu|D|52|1.0||業務改革推進事業|業務削減時間（時間）
somu|D|57|0.8||BPR推進事業|BPR実施業務数（件）
somu|D|54|3|Q|スマート区役所推進事業|オンライン申請件数（件）
somu|D|55|0.7||DX人材育成事業|DX推進リーダー数（人）
somu|D|56|2.0||オフィス改革推進事業|ペーパーレス化率（％）
somu|D|54|30||情報システム運用管理事業|システム稼働率（％）
somu|D|54|18||基幹業務システム標準化事業|標準化完了業務数（件）
somu|D|54|2.5|Q|電子申請システム運用事業|電子申請件数（件）
somu|D|52|12||本庁舎管理事業|庁舎光熱水費（百万円）
somu|D|52|2||文書管理事務|文書電子化率（％）
somu|D|52|1.5|s0.95|統計調査事業|調査回収率（％）
somu|D|52|6|s0.3|選挙執行事業|投票率（％）
somu|D|51|0.3||指定管理者制度運用事業|モニタリング実施施設数（施設）
somu|D|45|1.0|K|公営競技場周辺環境対策事業|周辺対策実施件数（件）
somu|D|53|0.5|M|働き方改革推進事業|男性職員育児休業取得割合（％）
somu|D|53|0.4|M|女性職員キャリア支援事業|女性管理職割合（％）
somu|D|52|0.4|M|市役所改革推進事業|改革意識が変わったと感じる職員の割合（％）
somu|D|54|1.2|Q|生成AI活用推進事業|AI活用業務数（件）
zaisei_henkaku|B||520||市債元金償還金（一般分）|
zaisei_henkaku|B||260||市債元金償還金（臨時財政対策債分）|
zaisei_henkaku|B||110||市債利子償還金|
zaisei_henkaku|B||0.5||一時借入金利子|
zaisei_henkaku|B||1.0||公債諸費|
zaisei_henkaku|D|49|15|Q|市税賦課事務|電子申告利用率（％）
zaisei_henkaku|D|49|12|Q|市税徴収事務|市税収納率（％）
zaisei_henkaku|D|49|8|E Q|ふるさと納税推進事業|ふるさと納税寄附額（百万円）
zaisei_henkaku|D|49|0.8||未利用市有地売却事業|売却額（百万円）
zaisei_henkaku|D|48|0.2||使用料・手数料見直し事業|見直し件数（件）
zaisei_henkaku|D|47|0.2||補助金・負担金見直し事業|見直し件数（件）
zaisei_henkaku|D|46|0.5||外郭団体経営改善事業|経営改善団体数（団体）
zaisei_henkaku|D|40|1.5||公共施設マネジメント推進事業|施設保有量削減率（％）
zaisei_henkaku|D|39|0.3||公共投資マネジメント事業|投資的経費執行率（％）
zaisei_henkaku|D|52|1.0||市政変革推進事業|見直し事業数（件）
zaisei_henkaku|D|40|3||市有財産管理事業|貸付収入（百万円）
zaisei_henkaku|D|49|0.6||債権管理適正化事業|収納率（％）
kiki_kanri|D|4|2.5||防災行政無線運用事業|稼働率（％）
kiki_kanri|D|4|0.5|S|総合防災訓練事業|訓練参加者数（人）
kiki_kanri|D|4|0.8|S|自主防災組織育成事業|自主防災組織結成率（％）
kiki_kanri|D|4|1.2|S Q|防災情報発信事業|防災メール登録者数（人）
kiki_kanri|D|4|1.5|S|災害備蓄物資整備事業|備蓄充足率（％）
kiki_kanri|D|5|0.8|S|防犯カメラ設置補助事業|設置台数（台）
kiki_kanri|D|5|0.6|S|安全・安心まちづくり推進事業|-刑法犯認知件数（件）
kiki_kanri|D|4|0.4|S|国民保護・危機管理体制整備事業|計画見直し件数（件）
kiki_kanri|I|4|8|S|防災行政無線デジタル化整備事業|
kiki_kanri|I|4|5|S L s0.5|指定避難所機能強化事業|
shimin_bunka_sports|D|10|2|W|市民センター管理運営事業|利用者数（人）
shimin_bunka_sports|D|10|2.5||自治会活動支援事業|自治会加入率（％）
shimin_bunka_sports|D|10|1.0||地域コミュニティ活性化事業|地域活動参加者数（人）
shimin_bunka_sports|D|10|0.8|M|地域活動推進事業|地域活動に参加した市民の割合（％）
shimin_bunka_sports|D|11|3|f0.05|生涯学習センター管理運営事業|利用者数（人）
shimin_bunka_sports|D|11|0.5|f0.2|市民カレッジ事業|受講者数（人）
shimin_bunka_sports|D|11|14|Q|図書館管理運営事業|貸出冊数（冊）
shimin_bunka_sports|D|11|1.0|Q|電子図書館事業|電子書籍貸出数（冊）
shimin_bunka_sports|D|12|2||スポーツ振興事業|週1回以上スポーツ実施率（％）
shimin_bunka_sports|D|12|12|f0.2|体育施設管理運営事業|利用者数（人）
shimin_bunka_sports|D|12|3|E|プロスポーツ支援事業|観客動員数（人）
shimin_bunka_sports|D|12|2.5|E f0.3 K|北九州マラソン開催事業|参加者数（人）
shimin_bunka_sports|D|12|2.5|E f0.3 M|熊本城マラソン開催事業|参加者数（人）
shimin_bunka_sports|D|13|2|H|文化振興事業|文化芸術活動参加率（％）
shimin_bunka_sports|D|13|10|f0.15|芸術劇場管理運営事業|入場者数（人）
shimin_bunka_sports|D|13|6|f0.1|美術館管理運営事業|入館者数（人）
shimin_bunka_sports|D|13|2|s0.3|文化財保護事業|保存修理件数（件）
shimin_bunka_sports|D|13|1.2|f0.1|文学館管理運営事業|入館者数（人）
shimin_bunka_sports|D|13|0.5||市民文化祭開催事業|参加者数（人）
shimin_bunka_sports|D|6|0.8||市民相談事業|相談件数（件）
shimin_bunka_sports|D|6|1.5|s0.3|消費生活センター運営事業|相談解決率（％）
shimin_bunka_sports|D|54|1.2|Q|証明書コンビニ交付事業|コンビニ交付率（％）
shimin_bunka_sports|D|54|6|s0.9 Q|マイナンバーカード交付事業|マイナンバーカード保有率（％）
shimin_bunka_sports|D|10|1.5||人権啓発推進事業|啓発事業参加者数（人）
shimin_bunka_sports|D|12|0.6||地域スポーツクラブ育成事業|クラブ会員数（人）
shimin_bunka_sports|I|12|10|H|総合体育館改修事業|
shimin_bunka_sports|I|13|8|G|文化施設長寿命化改修事業|
shimin_bunka_sports|I|10|1.5|W|市民センター改修事業|
shimin_bunka_sports|I|13|25|M S L s0.5|熊本城復旧事業|
shimin_bunka_sports|D|13|4|M f0.6|熊本城管理運営事業|熊本城入園者数（人）
hoken_fukushi|A|14|130|s0.75|生活保護費（生活扶助）|
hoken_fukushi|A|14|185|s0.75|生活保護費（医療扶助）|
hoken_fukushi|A|14|50|s0.75|生活保護費（住宅扶助）|
hoken_fukushi|A|14|25|s0.75|生活保護費（介護扶助・その他扶助）|
hoken_fukushi|A|17|210|s0.75|障害福祉サービス費（介護給付）|
hoken_fukushi|A|17|130|s0.75|障害福祉サービス費（訓練等給付）|
hoken_fukushi|A|17|55|s0.75|自立支援医療費|
hoken_fukushi|A|17|4|s0.75|補装具費支給事業|
hoken_fukushi|A|17|8|s0.75|特別障害者手当等給付事業|
hoken_fukushi|A|17|30|s0.5|重度障害者医療費助成事業|
hoken_fukushi|A|15|15||老人保護措置費|
hoken_fukushi|A|16|280||介護保険特別会計繰出金|
hoken_fukushi|A|19|120|s0.3|国民健康保険特別会計繰出金|
hoken_fukushi|A|15|160|s0.1|後期高齢者医療広域連合負担金|
hoken_fukushi|A|14|0.5|s0.75|中国残留邦人等支援給付事業|
hoken_fukushi|A|20|40||定期予防接種事業|
hoken_fukushi|D|14|4|s0.75|生活困窮者自立支援事業|就労決定者数（人）
hoken_fukushi|D|14|2||地域福祉推進事業|地域福祉活動参加者数（人）
hoken_fukushi|D|14|2.5||民生委員・児童委員活動支援事業|民生委員充足率（％）
hoken_fukushi|D|14|4||社会福祉協議会運営補助事業|ボランティア登録者数（人）
hoken_fukushi|D|14|1.5|s0.5|成年後見制度利用促進事業|制度利用者数（人）
hoken_fukushi|D|14|0.8|s0.5|ひきこもり地域支援センター運営事業|相談件数（件）
hoken_fukushi|D|15|8|Q|高齢者乗車券交付事業|交付者数（人）
hoken_fukushi|D|15|1.5||敬老祝金支給事業|支給者数（人）
hoken_fukushi|D|15|15|s0.5|地域包括支援センター運営事業|相談件数（件）
hoken_fukushi|D|15|1.2||老人クラブ活動支援事業|会員数（人）
hoken_fukushi|D|15|1.0||高齢者見守り推進事業|見守り対象世帯数（世帯）
hoken_fukushi|D|15|1.5||シルバー人材センター運営補助事業|就業延人員（人日）
hoken_fukushi|D|15|0.6||認知症サポーター養成事業|サポーター数（人）
hoken_fukushi|D|17|2|s0.5|障害者就労支援事業|一般就労移行者数（人）
hoken_fukushi|D|17|12|s0.5|障害者地域生活支援事業|利用者数（人）
hoken_fukushi|D|17|2.5||障害者スポーツセンター管理運営事業|利用者数（人）
hoken_fukushi|D|17|0.8|s0.5|手話通訳者派遣事業|派遣件数（件）
hoken_fukushi|D|18|3|f0.4|休日急患診療所運営事業|受診者数（人）
hoken_fukushi|D|18|10||救急医療体制確保事業|救急搬送受入率（％）
hoken_fukushi|D|18|60||市立病院運営費負担金|病床利用率（％）
hoken_fukushi|D|18|4||保健所運営事業|相談対応件数（件）
hoken_fukushi|D|20|12|s0.1 Q|がん検診事業|がん検診受診率（％）
hoken_fukushi|D|20|5|s0.3|特定健診・特定保健指導事業|特定健診受診率（％）
hoken_fukushi|D|20|25|s0.5|介護予防・日常生活支援総合事業|介護予防教室参加者数（人）
hoken_fukushi|D|20|1.5|H|健康づくり推進事業|健康寿命（歳）
hoken_fukushi|D|20|0.8||歯科保健事業|歯科健診受診率（％）
hoken_fukushi|D|20|3|s0.5|精神保健福祉事業|相談件数（件）
hoken_fukushi|D|20|5|s0.5 S|感染症対策事業|予防接種率（％）
hoken_fukushi|D|20|2|s0.5|難病対策事業|相談件数（件）
hoken_fukushi|D|5|2||動物愛護センター管理運営事業|-殺処分数（頭）
hoken_fukushi|D|5|1.5||食品衛生監視指導事業|監視指導件数（件）
hoken_fukushi|D|5|0.6||生活衛生監視指導事業|立入検査件数（件）
hoken_fukushi|I|15|6|L s0.5|特別養護老人ホーム整備補助事業|
hoken_fukushi|I|17|3||障害者福祉施設改修事業|
kodomo_katei|A|23|170|s0.67|児童手当|
kodomo_katei|A|23|45|s0.33|児童扶養手当|
kodomo_katei|A|22|350|s0.75|施設型給付費（保育所・認定こども園）|
kodomo_katei|A|22|30|s0.75|地域型保育給付費|
kodomo_katei|A|22|25|s0.75|施設等利用費（幼児教育・保育無償化）|
kodomo_katei|A|17|60|s0.75|障害児通所給付費|
kodomo_katei|A|23|45|s0.2|子ども医療費助成事業|
kodomo_katei|A|23|8|s0.5|ひとり親家庭等医療費助成事業|
kodomo_katei|A|24|25|s0.5|児童入所施設措置費|
kodomo_katei|A|24|3|s0.5|母子生活支援施設措置費|
kodomo_katei|D|23|8|s0.1|妊婦健康診査事業|妊婦健診受診率（％）
kodomo_katei|D|23|25|s0.67 G|放課後児童クラブ運営事業|-放課後児童クラブ待機児童数（人）
kodomo_katei|D|23|4|s0.67|地域子育て支援拠点事業|利用者数（人）
kodomo_katei|D|23|2|s0.5 Q|子育て世代包括支援事業|相談件数（件）
kodomo_katei|D|23|4|Q|乳幼児健康診査事業|乳幼児健診受診率（％）
kodomo_katei|D|23|1.5|s0.5 G|産後ケア事業|利用者数（人）
kodomo_katei|D|23|0.8|s0.67|ファミリー・サポート・センター事業|援助活動件数（件）
kodomo_katei|D|23|3|s0.67|一時預かり事業|利用者数（人）
kodomo_katei|D|23|3|s0.67|病児保育事業|利用者数（人）
kodomo_katei|D|23|0.6|G|子ども食堂支援事業|子ども食堂数（箇所）
kodomo_katei|D|23|0.4|Q|子育て応援ポータルサイト運営事業|アクセス数（件）
kodomo_katei|D|23|1.5|s0.5 G|医療的ケア児支援事業|支援対象児数（人）
kodomo_katei|D|22|2|G|保育士確保対策事業|保育士就職者数（人）
kodomo_katei|D|22|6|s0.67|延長保育事業|利用児童数（人）
kodomo_katei|D|22|3||私立幼稚園振興補助事業|補助対象園数（園）
kodomo_katei|D|22|4||障害児保育事業|受入児童数（人）
kodomo_katei|D|22|1.0|Q|保育所入所手続オンライン化事業|オンライン申請率（％）
kodomo_katei|D|24|6|s0.5 S|児童相談所運営事業|相談対応件数（件）
kodomo_katei|D|24|2|s0.5|子ども家庭相談事業|相談件数（件）
kodomo_katei|D|24|1|s0.5|里親支援事業|里親委託率（％）
kodomo_katei|D|24|0.8|s0.5|DV対策事業|相談件数（件）
kodomo_katei|D|25|1.2||青少年健全育成事業|事業参加者数（人）
kodomo_katei|D|25|0.7|G|ユースステーション運営事業|利用者数（人）
kodomo_katei|D|25|0.8|s0.5|子ども・若者応援センター運営事業|相談件数（件）
kodomo_katei|D|25|2|f0.1|少年自然の家管理運営事業|利用者数（人）
kodomo_katei|D|23|0.5||子育て情報誌発行事業|発行部数（部）
kodomo_katei|I|22|6|L s0.5 G|保育所施設整備補助事業|
kodomo_katei|I|23|2|G|児童館改修事業|
kodomo_katei|I|24|12|G|児童相談所整備事業|
kankyo|D|27|40|f0.25|家庭ごみ収集運搬事業|ごみ収集量（t）
kankyo|D|27|3|f0.4 Q|粗大ごみ収集事業|インターネット受付率（％）
kankyo|D|27|45|f0.1|清掃工場運営事業|焼却処理量（t）
kankyo|D|27|8|f0.05|資源化センター運営事業|資源化量（t）
kankyo|D|27|5|f0.2|最終処分場管理運営事業|埋立量（t）
kankyo|D|27|2||分別・リサイクル推進事業|リサイクル率（％）
kankyo|D|27|0.8||不法投棄防止対策事業|-不法投棄件数（件）
kankyo|D|26|2|H G|ゼロカーボンシティ推進事業|-市域の温室効果ガス排出量（万t）
kankyo|D|26|3|E|再生可能エネルギー導入促進事業|再エネ導入量（MW）
kankyo|D|26|3|E G K|グリーン成長戦略推進事業|関連企業立地件数（件）
kankyo|D|26|1.5||環境ミュージアム管理運営事業|入館者数（人）
kankyo|D|26|2||大気環境監視事業|環境基準達成率（％）
kankyo|D|26|1.2||水質保全事業|環境基準達成率（％）
kankyo|D|26|0.8||自然環境保全事業|保全活動参加者数（人）
kankyo|D|3|0.7||環境学習推進事業|学習プログラム参加者数（人）
kankyo|D|26|1.0|K|アジア低炭素化センター事業|海外案件形成件数（件）
kankyo|D|26|3|M H|地下水保全事業|地下水涵養量（万m3）
kankyo|D|27|0.5||食品ロス削減推進事業|-食品ロス発生量（t）
kankyo|I|27|25|L s0.33 G|清掃工場長寿命化事業|
kankyo|I|27|20|L s0.33|新清掃工場整備事業|
kankyo|I|27|3|Z|ごみ収集車両更新事業|
sangyo_keizai|D|28|2|E|地元企業人材確保支援事業|地元就職者数（人）
sangyo_keizai|D|28|1.5|E G|若者就職支援事業|就職決定者数（人）
sangyo_keizai|D|28|1.0|E|雇用促進奨励金事業|奨励金交付件数（件）
sangyo_keizai|D|28|0.8|E|外国人材受入支援事業|受入企業数（社）
sangyo_keizai|D|29|4|E G|スタートアップ創出支援事業|創業件数（件）
sangyo_keizai|D|29|1.5|E G|スタートアップ×地域課題実証事業|実証プロジェクト数（件）
sangyo_keizai|D|29|2|E f0.2|創業支援施設管理運営事業|入居率（％）
sangyo_keizai|D|28|6|E|企業誘致推進事業|誘致企業数（社）
sangyo_keizai|D|28|3|E|中小企業融資利子補給事業|融資件数（件）
sangyo_keizai|D|28|2|E|商店街活性化支援事業|空き店舗率（％）
sangyo_keizai|D|28|3|E|ものづくり産業振興事業|製造品出荷額（億円）
sangyo_keizai|D|28|2|E G|ロボット・DX導入支援事業|導入支援件数（件）
sangyo_keizai|D|28|2|E G|半導体関連産業振興事業|関連企業立地件数（件）
sangyo_keizai|D|28|1.5|E G K|水素エネルギー産業拠点化事業|実証件数（件）
sangyo_keizai|D|28|1.0|E|中小企業経営支援事業|相談件数（件）
sangyo_keizai|D|21|5|f0.6 K|食肉センター管理運営事業|と畜頭数（頭）
sangyo_keizai|D|32|4|f0.3|中央卸売市場運営事業|取扱高（億円）
sangyo_keizai|D|10|3|s0.3 agri|農業振興事業|農業産出額（億円）
sangyo_keizai|D|10|1.2|s0.5 agri|農業担い手育成事業|新規就農者数（人）
sangyo_keizai|D|10|1.5|s0.3 agri|水産業振興事業|漁獲量（t）
sangyo_keizai|D|10|2|s0.5 agri|森林保全事業|間伐面積（ha）
sangyo_keizai|D|10|0.5|agri|地産地消推進事業|直売所売上額（百万円）
sangyo_keizai|D|10|1.5|s0.5 agri M|園芸農業振興事業|園芸作物産出額（億円）
sangyo_keizai|D|10|1.2|s0.3 agri M|畜産振興事業|飼養頭数（頭）
sangyo_keizai|D|10|0.6|agri M|農業委員会運営事業|農地利用集積率（％）
sangyo_keizai|D|10|0.8|s0.5 agri M|鳥獣被害防止対策事業|-農作物被害額（百万円）
sangyo_keizai|D|13|3|f0.5 M|動植物園管理運営事業|入園者数（人）
sangyo_keizai|I|10|5|L s0.5 agri|農業基盤整備事業|
sangyo_keizai|I|10|6|L s0.5 agri K|漁港整備事業|
sangyo_keizai|I|10|6|L s0.5 agri M|土地改良事業|
sangyo_keizai|I|32|5||中央卸売市場施設整備事業|
sangyo_keizai|I|28|20|E G|産業用地整備事業|
toshi_brand|D|30|5|E|観光振興事業|観光客数（万人）
toshi_brand|D|30|3|E|インバウンド誘客事業|外国人宿泊者数（人）
toshi_brand|D|30|3|E|MICE誘致推進事業|国際会議開催件数（件）
toshi_brand|D|30|1.5|E K|門司港レトロ地区活性化事業|来訪者数（万人）
toshi_brand|D|30|1.0|E K|小倉城周辺魅力向上事業|小倉城入館者数（人）
toshi_brand|D|30|0.8|E K|皿倉山魅力向上事業|ケーブルカー利用者数（人）
toshi_brand|D|1|2|E|都市ブランド発信事業|メディア露出件数（件）
toshi_brand|D|13|2|f0.2 K|漫画ミュージアム管理運営事業|入館者数（人）
toshi_brand|D|12|1.5|E|スポーツ大会誘致事業|大会誘致件数（件）
toshi_brand|D|13|0.6|E|フィルムコミッション事業|ロケ誘致件数（件）
toshi_brand|D|30|1.0|Q|観光案内所運営事業|案内件数（件）
toshi_brand|D|30|0.8|E Q G|観光DX推進事業|観光アプリ利用者数（人）
toshi_brand|D|12|5|f0.25 K|スタジアム管理運営事業|入場者数（人）
toshi_brand|D|13|1.0|K|音楽都市推進事業|公演来場者数（人）
toshi_brand|D|30|1.0|E M|阿蘇くまもと空港連携観光推進事業|空港利用者数（万人）
toshi_brand|I|30|6|E K|小倉城周辺整備事業|
toshi_brand|I|12|3|K|スタジアム設備改修事業|
toshi_senryaku|D|2|1.0||都市計画基礎調査事業|調査実施地区数（地区）
toshi_senryaku|D|44|5||地域公共交通確保維持事業|公共交通利用者数（万人）
toshi_senryaku|D|44|8|K|市営バス事業負担金|市営バス乗車人員（万人）
toshi_senryaku|D|44|8|M|市電事業負担金|市電乗車人員（万人）
toshi_senryaku|D|44|1.5||おでかけ交通支援事業|利用者数（人）
toshi_senryaku|D|44|2|s0.33|駅バリアフリー化補助事業|バリアフリー化駅数（駅）
toshi_senryaku|D|2|1.5||空き家活用推進事業|空き家活用件数（件）
toshi_senryaku|D|2|0.6||立地適正化計画推進事業|居住誘導区域人口割合（％）
toshi_senryaku|D|41|1.5|G|スマートシティ推進事業|データ連携サービス数（件）
toshi_senryaku|D|3|0.8||都市景観形成事業|景観重要建造物指定数（件）
toshi_senryaku|I|44|6|L s0.33 K|モノレール施設改修補助事業|
toshi_senryaku|I|2|15|E G K|小倉駅周辺再整備事業|
toshi_senryaku|I|2|5|K|黒崎副都心整備事業|
toshi_senryaku|I|44|8|L s0.5|連続立体交差事業|
toshi_senryaku|I|2|12|E M|桜町・花畑地区整備事業|
toshi_seibi|D|33|30|f0.8|市営住宅管理事業|入居率（％）
toshi_seibi|D|33|0.5|Q|市営住宅入居者募集事業|応募倍率（倍）
toshi_seibi|D|33|0.8|s0.5|住宅セーフティネット推進事業|登録住宅数（戸）
toshi_seibi|D|33|1.5|s0.5 S|住宅耐震化促進事業|耐震化率（％）
toshi_seibi|D|33|1.0|G|子育て世帯住み替え支援事業|支援件数（件）
toshi_seibi|D|2|1.2||空き家等対策推進事業|空き家除却件数（件）
toshi_seibi|D|40|3||公共建築物保全事業|点検実施率（％）
toshi_seibi|D|2|0.6|Q|建築確認・開発許可事務|電子申請率（％）
toshi_seibi|I|33|5|W L s0.45 G|市営住宅長寿命化改修事業|
toshi_seibi|I|33|15|L s0.45|市営住宅建替事業|
toshi_seibi|I|40|10|G|公共施設長寿命化改修事業|
toshi_seibi|I|2|8|L s0.33|土地区画整理事業|
toshi_seibi|I|40|4||公共施設集約化事業|
kensetsu|D|41|4|W|道路維持補修事業|-道路損傷通報件数（件）
kensetsu|D|34|2|W|公園維持管理事業|公園利用者満足度（％）
kensetsu|D|41|3||街路樹維持管理事業|剪定実施本数（本）
kensetsu|D|41|3||道路照明灯維持管理事業|LED化率（％）
kensetsu|D|41|3||河川維持管理事業|浚渫延長（m）
kensetsu|D|41|0.5|f0.9 Q|道路占用許可事務|電子申請率（％）
kensetsu|D|43|55||下水道事業会計負担金（雨水処理）|雨水整備率（％）
kensetsu|D|5|2|f0.5|自転車駐車場管理運営事業|利用率（％）
kensetsu|D|41|1.0||道路施設点検事業|点検実施率（％）
kensetsu|I|41|40|L s0.5|道路新設改良事業|
kensetsu|I|41|20|L s0.55 G|橋りょう長寿命化修繕事業|
kensetsu|I|41|5|L s0.5|トンネル・横断歩道橋修繕事業|
kensetsu|I|41|3|W H|舗装修繕事業|
kensetsu|I|4|10|L s0.5 S|河川改修事業|
kensetsu|I|4|4|L s0.5 S|急傾斜地崩壊対策事業|
kensetsu|I|34|6||公園整備事業|
kensetsu|I|34|5|L s0.5 G|公園施設長寿命化事業|
kensetsu|I|5|6|L s0.5 S|交通安全施設整備事業|
kensetsu|I|41|5|L s0.5|無電柱化推進事業|
kensetsu|I|4|8|S|雨水排水施設整備事業|
kensetsu|I|39|15|L s0.5|都市計画道路整備事業|
kensetsu|I|4|3|Z s0.67|災害復旧事業|
kowan_kuko|D|31|4|E K|北九州空港利用促進事業|空港利用者数（万人）
kowan_kuko|D|31|1.5|E K|空港アクセス向上事業|アクセスバス利用者数（人）
kowan_kuko|D|31|2|E G K|北九州空港貨物拠点化推進事業|国際貨物取扱量（t）
kowan_kuko|D|42|8|f0.4 K|港湾施設維持管理事業|施設稼働率（％）
kowan_kuko|D|42|0.5|K|港湾施設マネジメント推進事業|長寿命化計画策定施設数（施設）
kowan_kuko|D|42|1.5|E K|ポートセールス事業|外貿コンテナ取扱量（TEU）
kowan_kuko|D|42|1.0|E K|クルーズ船誘致事業|クルーズ船寄港回数（回）
kowan_kuko|D|26|2|E G K|洋上風力発電拠点化推進事業|関連企業立地件数（件）
kowan_kuko|I|42|15|L s0.5 K|岸壁改良事業|
kowan_kuko|I|42|20|L s0.5 E G K|響灘地区港湾整備事業|
kowan_kuko|I|31|10|L s0.5 E G K|北九州空港機能強化事業|
kowan_kuko|I|42|8|L s0.5 G K|港湾施設老朽化対策事業|
shobo|D|35|5||消防体制運営事業|出動件数（件）
shobo|D|35|3|S|消防団活動支援事業|消防団員数（人）
shobo|D|35|2|S|救急業務高度化事業|-救急現場到着時間（分）
shobo|D|35|3|S|消防通信指令管理運営事業|119番受信件数（件）
shobo|D|36|0.6|S|火災予防啓発事業|住宅用火災警報器設置率（％）
shobo|D|36|0.5|S Q|防火査察事業|違反是正率（％）
shobo|D|36|0.3|f0.5 Q|危険物規制事務|電子申請率（％）
shobo|D|35|1||消防訓練センター運営事業|訓練受講者数（人）
shobo|D|35|0.8|S|応急手当普及啓発事業|救命講習受講者数（人）
shobo|I|35|8|S|消防車両更新事業|
shobo|I|35|6|S G|消防庁舎整備事業|
shobo|I|35|7|S|消防指令システム更新事業|
shobo|I|35|1.5||消防水利整備事業|
kyoiku|P|38|260|s0.33|教職員給与費（小学校）|
kyoiku|P|38|150|s0.33|教職員給与費（中学校）|
kyoiku|P|38|50|s0.33|教職員給与費（特別支援学校）|
kyoiku|P|38|25||会計年度任用職員報酬（学校）|
kyoiku|A|38|12|s0.05|就学援助事業|
kyoiku|D|38|15||学校運営費（小学校）|学校満足度（％）
kyoiku|D|38|9||学校運営費（中学校）|学校満足度（％）
kyoiku|D|38|12|G|学校ICT環境整備事業|端末活用率（％）
kyoiku|D|38|6|G|少人数学級推進事業|対象学級数（学級）
kyoiku|D|38|5||特別支援教育推進事業|支援員配置校数（校）
kyoiku|D|38|3|s0.33|スクールカウンセラー配置事業|相談件数（件）
kyoiku|D|24|2||いじめ・不登校対策事業|-不登校児童生徒数（人）
kyoiku|D|24|1.5|s0.33|スクールソーシャルワーカー配置事業|支援件数（件）
kyoiku|D|37|30|f0.5|学校給食運営事業|給食実施率（％）
kyoiku|D|38|1.5|G|部活動地域移行推進事業|地域移行種目数（種目）
kyoiku|D|38|2||英語教育推進事業|英検3級相当以上の割合（％）
kyoiku|D|38|1.5||学力向上推進事業|全国学力調査平均正答率（％）
kyoiku|D|38|1.0||教職員研修事業|研修受講者数（人）
kyoiku|D|38|2|W|学校施設維持管理事業|修繕対応件数（件）
kyoiku|D|38|0.5|S|通学路安全対策事業|対策実施箇所数（箇所）
kyoiku|D|38|2||奨学金貸与事業|貸与者数（人）
kyoiku|D|38|2|Q|校務DX推進事業|校務処理時間削減率（％）
kyoiku|D|38|1||学校プール民間活用事業|民間施設活用校数（校）
kyoiku|D|11|1.2||公民館・社会教育事業|講座参加者数（人）
kyoiku|I|38|3|W L s0.33 G|小学校施設長寿命化改修事業|
kyoiku|I|38|2|W L s0.33 G|中学校施設長寿命化改修事業|
kyoiku|I|38|4|G|学校トイレ洋式化事業|
kyoiku|I|38|8|L s0.33 G|学校体育館空調整備事業|
kyoiku|I|38|10|L s0.5|学校統合整備事業|
kyoiku|I|37|8|G|給食センター整備事業|
seisaku|D|52|0.5||政策評価推進事業|評価実施事業数（件）
seisaku|D|8|0.8||大学連携推進事業|連携事業数（件）
seisaku|I|8|4|K|北九州市立大学施設整備補助事業|
somu|D|54|4||情報セキュリティ対策事業|-セキュリティインシデント件数（件）
somu|D|52|0.3||行政不服審査事務|審理件数（件）
somu|D|11|0.8||公文書館管理運営事業|閲覧者数（人）
somu|D|53|1.2||人事給与システム運用事業|システム稼働率（％）
somu|D|52|0.6||法務事務|法律相談件数（件）
somu|I|54|5||庁内ネットワーク更新事業|
somu|I|40|6||庁舎改修事業|
zaisei_henkaku|D|49|2|Q|固定資産税評価事務|評価替え対応率（％）
zaisei_henkaku|D|49|1.0|Q|納税コールセンター運営事業|-滞納件数（件）
zaisei_henkaku|D|52|1.5||財務会計システム運用事業|システム稼働率（％）
zaisei_henkaku|D|50|0.1||入札監視委員会運営事業|審議案件数（件）
kiki_kanri|D|4|0.5|S|国土強靭化推進事業|計画事業進捗率（％）
kiki_kanri|D|4|0.6|S|災害時要配慮者支援事業|個別避難計画作成率（％）
shimin_bunka_sports|D|10|1.2|f0.05|市民活動サポートセンター管理運営事業|登録団体数（団体）
shimin_bunka_sports|D|10|0.5||NPO活動支援事業|NPO法人数（団体）
shimin_bunka_sports|D|13|4|f0.2|文化ホール管理運営事業|稼働率（％）
shimin_bunka_sports|D|12|5|f0.3|市民プール管理運営事業|利用者数（人）
shimin_bunka_sports|D|5|0.3||犯罪被害者等支援事業|相談件数（件）
shimin_bunka_sports|D|11|3|W f0.05|地域図書館管理運営事業|貸出冊数（冊）
shimin_bunka_sports|I|12|4||市民プール改修事業|
shimin_bunka_sports|I|11|3|G|図書館改修事業|
hoken_fukushi|D||4|f0.3|斎場管理運営事業|利用件数（件）
hoken_fukushi|D||1.5|f0.5|霊園管理事業|使用許可件数（件）
hoken_fukushi|D|15|1.5|s0.5|在宅医療・介護連携推進事業|在宅看取り率（％）
hoken_fukushi|D|15|1.2|G|介護人材確保事業|介護職員就職者数（人）
hoken_fukushi|D|20|0.8|s0.5|自殺対策事業|-自殺者数（人）
hoken_fukushi|D|17|0.4||障害者差別解消推進事業|研修参加者数（人）
hoken_fukushi|D|17|3|s0.5|障害者相談支援事業|相談件数（件）
hoken_fukushi|D|4|0.5|S|福祉避難所確保事業|福祉避難所数（箇所）
hoken_fukushi|D|20|0.6|H Q|健康マイレージ事業|参加者数（人）
hoken_fukushi|D|15|1|W|年長者いこいの家管理運営事業|利用者数（人）
hoken_fukushi|D|14|0.4|W K|ふれあいネットワーク推進事業|見守り対象者数（人）
hoken_fukushi|I||3||斎場改修事業|
kodomo_katei|D|24|0.5||児童虐待防止啓発事業|-児童虐待対応件数（件）
kodomo_katei|D|23|1.0|s0.75|母子家庭等自立支援事業|就業者数（人）
kodomo_katei|D|24|1.2|s0.5|家庭児童相談室運営事業|相談件数（件）
kodomo_katei|D|17|1.0|s0.5|発達障害者支援センター運営事業|相談件数（件）
kodomo_katei|D|23|0.8|G|子どもの貧困対策推進事業|学習支援参加者数（人）
kodomo_katei|D|2|0.5|G|結婚支援事業|成婚数（組）
kodomo_katei|D|23|1.2|W f0.05|児童館管理運営事業|利用者数（人）
kankyo|D|26|0.3||環境影響評価事務|審査件数（件）
kankyo|D|26|0.6||生物多様性保全事業|保全活動参加者数（人）
kankyo|D|26|1.0|H|省エネ住宅普及促進事業|補助件数（件）
kankyo|D|27|4|f0.9|家庭ごみ指定袋制度運営事業|指定袋販売枚数（万枚）
kankyo|D|26|0.8|E|次世代自動車普及促進事業|EV普及台数（台）
sangyo_keizai|D|28|3|E G K|学術研究都市推進事業|産学連携件数（件）
sangyo_keizai|D|28|0.5||技能振興事業|技能検定受検者数（人）
sangyo_keizai|D|2|0.6|E|ワーケーション推進事業|誘致企業数（社）
toshi_brand|D|30|0.6|E K|夜景観光推進事業|夜景観光客数（人）
toshi_brand|D|30|0.5|E|ご当地グルメ発信事業|イベント来場者数（人）
toshi_brand|D|30|1.2|E|大型イベント誘致事業|イベント来場者数（人）
toshi_senryaku|D|5|0.6||自転車活用推進事業|自転車通行空間整備延長（km）
toshi_senryaku|D|44|0.8|G|地域交通DX推進事業|MaaS利用者数（人）
toshi_seibi|D|33|0.6||住宅リフォーム支援事業|補助件数（件）
toshi_seibi|D|33|0.3||マンション管理適正化推進事業|管理計画認定件数（件）
toshi_seibi|D|33|0.5|s0.5|高齢者住宅改造助成事業|助成件数（件）
kensetsu|D|41|0.8|Q|道路台帳整備事業|電子化率（％）
kensetsu|D|5|1.2||放置自転車対策事業|-放置自転車台数（台）
kensetsu|D|34|0.8||緑化推進事業|緑化面積（ha）
kensetsu|D|34|0.5|H|花と緑のまちづくり事業|花壇ボランティア数（人）
kensetsu|D|41|1.5|W|河川・水路維持管理事業|-浸水被害件数（件）
kensetsu|I|41|2|W H|生活道路整備事業|
kensetsu|I|5|1.5|W L s0.5|歩道バリアフリー化事業|
kensetsu|I|34|1|W|街区公園遊具更新事業|
kowan_kuko|D|42|1.0|K|港湾緑地管理事業|利用者数（人）
kowan_kuko|D|42|1.5|f0.3 K|旅客ターミナル管理運営事業|ターミナル利用者数（人）
shobo|D|35|0.8|S|救急救命士養成事業|救急救命士数（人）
shobo|D|35|1.0|W|消防出張所施設維持管理事業|修繕対応件数（件）
shobo|I|35|2|S|消防団施設整備事業|
kyoiku|D|38|0.6||学校図書館活用推進事業|児童生徒1人当たり貸出冊数（冊）
kyoiku|D|38|0.8||理科教育振興事業|理科好きな児童生徒の割合（％）
kyoiku|D|24|0.8||教育相談事業|相談件数（件）
kyoiku|D|12|0.5|f0.2|学校体育施設開放事業|利用者数（人）
kyoiku|D|38|3||特別支援学校スクールバス運行事業|運行台数（台）
kyoiku|D|38|0.5|G|夜間中学運営事業|在籍者数（人）
kyoiku|D|38|1.0||教員働き方改革推進事業|-教員の時間外勤務時間（時間）
kyoiku|D|37|0.6|Q|学校給食費公会計管理事業|口座振替率（％）
kyoiku|D|37|6|f0.4|給食センター運営事業|給食提供食数（食）
kyoiku|D|11|2|f0.1|科学館管理運営事業|入館者数（人）
ward|D|40|0.8|R|区役所庁舎維持管理事業|修繕対応件数（件）
ward|D|14|0.5|R|区保健福祉相談事業|相談件数（件）
ward|D|10|0.2|R|区民交流事業|参加者数（人）
ward|D|5|0.2|R|区安全・安心推進事業|防犯パトロール参加者数（人）
ward|D|26|0.2|R|区環境美化推進事業|清掃活動参加者数（人）
ward|D|54|2|R Q|区役所窓口サービス事業|-窓口待ち時間（分）
ward|D|10|0.5|R|区まちづくり推進事業|まちづくり活動参加者数（人）
ward|D|10|0.2|R|区民まつり開催支援事業|来場者数（人）
ward|D|14|0.3|R|区地域福祉推進事業|見守り活動参加者数（人）
ward|D|6|0.1|R|区政広聴事業|区政懇談会参加者数（人）
ward|D|23|0.4|R|区子育て支援事業|子育てサロン利用者数（人）
ward|D|54|0.6|R Q M|転入手続き窓口改善事業|-転入手続きにかかる窓口滞在時間（分）
ward|D|54|0.3|R M|区役所窓口満足度向上事業|区役所窓口サービスに満足している市民の割合（％）
"""

# New initiatives (新規事業): bureau | cluster | tags | name | kpi
NEW_TEMPLATES = r"""
kodomo_katei|22|G|こども誰でも通園制度事業|利用児童数（人）
toshi_seibi|2|G|若者・子育て世帯定住促進住宅支援事業|転入子育て世帯数（世帯）
kodomo_katei|23|G|妊娠・出産包括支援事業|利用者数（人）
kodomo_katei|25|G|子どもの居場所づくり推進事業|居場所数（箇所）
kyoiku|37|G|中学校給食費負担軽減事業|対象生徒数（人）
kyoiku|38|G|地域クラブ活動推進事業|地域クラブ数（団体）
somu|52|Q|生成AI業務活用拡大事業|削減業務時間（時間）
ward|54|Q|AI電話応対サービス導入事業|自動応答件数（件）
somu|54|Q|窓口オンライン予約拡大事業|予約利用率（％）
sangyo_keizai|28|E G|半導体人材育成事業|育成人数（人）
sangyo_keizai|29|E G|ディープテックスタートアップ集積事業|集積企業数（社）
kowan_kuko|42|E G K|洋上風力O&M拠点形成事業|関連企業立地件数（件）
kowan_kuko|31|E G K|空港物流拠点強化事業|国際貨物取扱量（t）
kankyo|26|H G|水素サプライチェーン構築事業|水素利用量（t）
kankyo|27|H|サーキュラーエコノミー推進事業|リサイクル率（％）
toshi_brand|30|E|外国人観光客受入環境整備事業|外国人宿泊者数（人）
toshi_brand|30|E G|ナイトタイムエコノミー推進事業|夜間観光消費額（百万円）
seisaku|2|E G|若者チャレンジ応援事業|支援件数（件）
seisaku|9|H G|女性のキャリア形成支援事業|参加者数（人）
kiki_kanri|4|S|防災DX推進事業|防災アプリ登録者数（人）
shobo|35|S G|日勤救急隊運用事業|-救急現場到着時間（分）
hoken_fukushi|15|H|高齢者デジタル活用支援事業|講座参加者数（人）
hoken_fukushi|20|H G|認知症早期発見推進事業|検診受診者数（人）
kodomo_katei|17|G|医療的ケア児等在宅支援事業|支援対象児数（人）
toshi_senryaku|54|G|データ連携基盤構築事業|連携サービス数（件）
shimin_bunka_sports|12|G|公共施設予約システム刷新事業|オンライン予約率（％）
sangyo_keizai|28|E G|中小企業DX伴走支援事業|支援企業数（社）
"""


def parse_templates():
    rows = []
    for line in TEMPLATES.strip().splitlines():
        b, kind, cl, w, tags, name, kpi = line.split("|")
        rows.append(dict(bureau=b, kind=kind, cluster=int(cl) if cl else None, weight=float(w),
                         tags=tags.split(), name=name, kpi=kpi))
    for line in NEW_TEMPLATES.strip().splitlines():
        b, cl, tags, name, kpi = line.split("|")
        rows.append(dict(bureau=b, kind="N", cluster=int(cl), weight=0.0, tags=tags.split(),
                         name=name, kpi=kpi))
    return rows


def tagval(tags, prefix):
    for t in tags:
        if t.startswith(prefix) and len(t) > 1 and (t[1].isdigit() or t[1] == "."):
            return float(t[1:])
    return None


# --------------------------------------------------------------------------------------
# Expansion into concrete programs for one city
# --------------------------------------------------------------------------------------
def expand(city, rng):
    if city == "kk":
        bureaus, wards, ward_bureaus = KK_BUREAUS, KK_WARDS, KK_WARD_BUREAUS
    else:
        bureaus, wards, ward_bureaus = KM_BUREAUS, KM_WARDS, KM_WARD_BUREAUS
    bname = dict(bureaus)
    progs = []

    def add(t, bureau, name):
        p = dict(t)
        p["bureau"] = bureau
        p["name"] = name
        p["tags"] = list(t["tags"])
        progs.append(p)

    # one personnel line per bureau (消防 and 教育 keep their own large lines as well)
    pweights = {"somu": 45, "zaisei_henkaku": 30, "zaisei": 30, "seisaku": 25,
                "kiki_kanri": 6, "shimin_bunka_sports": 35, "bunka_shimin": 35,
                "hoken_fukushi": 70, "kenko_fukushi": 70, "kodomo_katei": 45, "kodomo": 45,
                "kankyo": 80, "sangyo_keizai": 25, "keizai_kanko": 25, "nosui": 12,
                "toshi_brand": 12, "toshi_senryaku": 15, "toshi_seibi": 25, "kensetsu": 55,
                "toshi_kensetsu": 70, "kowan_kuko": 15, "shobo": 110, "kyoiku": 20}
    for bid, bn in bureaus:
        add(dict(kind="P", cluster=None, weight=pweights.get(bid, 12), tags=[], kpi=""),
            bid, f"職員給与費（{bn}）")

    for t in parse_templates():
        tags = t["tags"]
        if city == "kk" and "M" in tags:
            continue
        if city == "km" and "K" in tags:
            continue
        if t["bureau"] == "ward":
            targets = [(wb, w) for wb, w in ward_bureaus]
            if t["kind"] == "N":  # one new initiative, in the first ward office
                targets = targets[1:2] if city == "kk" else targets[:1]
            for wb, w in targets:
                add(t, wb, f"{t['name']}（{w}）")
            continue
        if city == "kk":
            bureau = t["bureau"]
        else:
            bureau = "nosui" if "agri" in tags else KM_MAP[t["bureau"]]
        assert bureau in bname, (city, bureau)
        if "W" in tags:
            for w in wards:
                add(t, bureau, f"{t['name']}（{w}）")
        else:
            add(t, bureau, t["name"])
    return progs


# --------------------------------------------------------------------------------------
# Review archetypes: a latent outcome that shapes the viewpoint attributes
# --------------------------------------------------------------------------------------
def assign_archetypes(progs, rng, counts):
    for p in progs:
        p["arch"] = "continue"
    pool = [p for p in progs if p["kind"] in ("D", "I")]
    rng.shuffle(pool)
    # small programs are the ones that get abolished, merged or completed
    eligible = {
        "abolish": lambda p: p["kind"] == "D" and p["weight"] <= 1.5,
        "merge": lambda p: p["weight"] <= 3,
        "complete": lambda p: p["kind"] == "I" or p["weight"] <= 2,
        "reduce": lambda p: p["weight"] <= 20,
    }
    for arch, n in sorted(counts, key=lambda c: c[0] not in eligible):
        ok = eligible.get(arch, lambda p: True)
        chosen = [p for p in pool if p["arch"] == "continue" and ok(p)][:n]
        for p in chosen:
            p["arch"] = arch
    for p in progs:
        if p["kind"] == "N":
            p["arch"] = "expand" if rng.random() < 0.6 else "continue"


def r2(x):
    return round(x + 1e-12, 2)


def fmt_dec(x):
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


# Each archetype's ranges of demand trend, satisfaction and service level (mandatory programs aside).
VIEWPOINT_RANGES = {
    "expand": ((0.15, 0.5), (0.72, 0.95), (0.65, 0.95)),
    "improve": ((-0.05, 0.1), (0.35, 0.55), (0.85, 1.1)),
    "reduce": ((-0.45, -0.2), (0.3, 0.5), (1.22, 1.6)),
    "merge": ((-0.15, 0.0), (0.4, 0.6), (0.9, 1.15)),
    "abolish": ((-0.6, -0.45), (0.1, 0.28), (1.0, 1.4)),
    "complete": ((-0.3, -0.1), (0.5, 0.7), (0.95, 1.1)),
    "continue": ((-0.12, 0.12), (0.45, 0.8), (0.8, 1.18)),
}


def viewpoint_attrs(p, rng):
    a = p["arch"]
    U = rng.uniform
    mandatory = p["kind"] in ("P", "A", "B")
    if mandatory:
        demand = (-0.05, 0.12) if p["kind"] != "B" else (-0.05, 0.03)
        ranges = (demand, (0.5, 0.8), (0.95, 1.08))
    else:
        ranges = VIEWPOINT_RANGES.get(a, VIEWPOINT_RANGES["continue"])
    # Drawn in this order (demand, satisfaction, service level): the seeded inventories depend on it.
    for field, (lo, hi) in zip(("demand_trend", "satisfaction", "service_level"), ranges):
        p[field] = r2(U(lo, hi))
    # digital share only for programs with procedures
    if "Q" in p["tags"]:
        p["digital_share"] = r2(U(0.0, 0.15)) if a == "improve" else r2(U(0.2, 0.85))
    else:
        p["digital_share"] = None
    # public-private role sharing
    facility = "管理運営" in p["name"] or "運営事業" in p["name"]
    if mandatory or p["kind"] == "B":
        p["private_capacity"] = r2(U(0.0, 0.15))
        p["outsourced"] = False
    elif facility:
        p["private_capacity"] = r2(U(0.6, 0.95))
        p["outsourced"] = rng.random() < 0.75
    elif p["kind"] == "I":
        p["private_capacity"] = r2(U(0.3, 0.7))
        p["outsourced"] = True
    else:
        p["private_capacity"] = r2(U(0.05, 0.7))
        p["outsourced"] = rng.random() < 0.3
    if p.get("outsource_candidate"):
        p["private_capacity"] = r2(U(0.8, 0.95))
        p["outsourced"] = False


KPI_RANGES = {"（％）": (20, 85), "（倍）": (1.2, 6), "（人）": (80, 20000), "（件）": (50, 8000),
              "（分）": (20, 130), "（t）": (500, 200000), "（万人）": (30, 1500),
              "（百万円）": (50, 5000), "（億円）": (30, 3000), "（冊）": (20000, 3000000),
              "（社）": (10, 300), "（団体）": (10, 400), "（箇所）": (10, 200), "（校）": (10, 130),
              "（施設）": (10, 150), "（台）": (50, 3000), "（回）": (5, 80), "（頭）": (100, 20000),
              "（ha）": (50, 1500), "（km）": (5, 200), "（世帯）": (100, 5000), "（戸）": (100, 3000),
              "（組）": (10, 200), "（TEU）": (100000, 600000), "（MW）": (100, 1500),
              "（万t）": (500, 1500), "（時間）": (2000, 60000), "（点）": (3.0, 4.0),
              "（歳）": (70, 75), "（人日）": (50000, 300000), "（食）": (20000, 80000),
              "（万枚）": (1000, 5000), "（学級）": (50, 500), "（種目）": (3, 20), "（駅）": (5, 30),
              "（地区）": (5, 40), "（m）": (500, 10000), "（万m3）": (500, 3000), "（部）": (5000, 50000)}


def kpi_values(p, rng):
    ind = p["kpi"]
    if p["kind"] in ("P", "A", "B") or not ind:
        p["kpi_indicator"] = p["kpi_direction"] = ""
        p["kpi_baseline"] = p["kpi_target"] = p["kpi_actual"] = None
        return
    smaller = ind.startswith("-")
    ind = ind.lstrip("-")
    p["kpi_indicator"] = ind
    p["kpi_direction"] = "lower" if smaller else "higher"
    fixed = KM_REAL_KPIS.get(ind) if p.get("city") == "km" else None
    if fixed and ind.startswith("転入") and "中央区" not in p["name"]:
        fixed = None  # the plan's 128→79分 is measured at 中央区
    if fixed:
        base, target = fixed
    else:
        lo, hi = next((v for k, v in KPI_RANGES.items() if ind.endswith(k)), (10, 3000))
        base = rng.uniform(lo, hi)
        pct = ind.endswith("（％）")
        gain = rng.uniform(0.08, 0.35)
        if smaller:
            target = base * (1 - gain)
        elif pct:
            target = min(100.0, base + rng.uniform(4, 18))
        else:
            target = base * (1 + gain)
        if not ind.endswith(("（％）", "（倍）", "（点）", "（歳）")):  # counts: whole numbers
            base, target = round(base), round(target)
        else:
            base, target = r2(base), r2(target)
        if target == base:
            target = base + (-1 if smaller else 1)
    prog = {"expand": (0.8, 1.3), "continue": (0.45, 1.1), "improve": (-0.3, 0.25),
            "reduce": (0.1, 0.6), "merge": (0.3, 0.8), "abolish": (-0.4, 0.15),
            "complete": (1.0, 1.15)}[p["arch"]]
    if p["kind"] == "N":
        prog = (0.0, 0.3)
    actual = base + (target - base) * rng.uniform(*prog)
    if isinstance(base, int) and isinstance(target, int):
        actual = round(actual)
    else:
        actual = r2(actual)
    if ind.endswith("（％）"):
        actual = min(actual, 100.0)
    p["kpi_baseline"], p["kpi_target"], p["kpi_actual"] = base, target, actual


# real baseline (R5; R4 for 男性職員育児休業) and target (R9) from Kumamoto's reform plan [KM-PLAN], docs/sources.md
KM_REAL_KPIS = {
    "マイナンバーカード保有率（％）": (74.63, 85.0),
    "転入手続きにかかる窓口滞在時間（分）": (128, 79),
    "区役所窓口サービスに満足している市民の割合（％）": (57.2, 60.0),
    "地域活動に参加した市民の割合（％）": (36.5, 42.3),
    "市政に関する必要な情報を入手できていると感じる市民の割合（％）": (36.3, 50.0),
    "男性職員育児休業取得割合（％）": (49.0, 90.0),
    "女性管理職割合（％）": (13.1, 15.0),
    "改革意識が変わったと感じる職員の割合（％）": (79.0, 90.0),
}


# --------------------------------------------------------------------------------------
# Amounts
# --------------------------------------------------------------------------------------
def scale_to(progs, total, rng, noise=0.35):
    """Distribute `total` 千円 over progs in proportion to weight×noise (whole 千円)."""
    ws = [p["weight"] * rng.lognormvariate(0, noise) for p in progs]
    s = sum(ws)
    amts = [int(round(total * w / s)) for w in ws]
    for p, a in zip(progs, amts):
        p["req"] = max(a, 1000)


def funding_mix(p, rng):
    t = p["tags"]
    s = tagval(t, "s")
    if p["kind"] == "I":
        if "Z" in t:
            p["subsidy"] = s if s is not None else 0.0
            p["bs"] = 0.0
            p["inv_group"] = "low"
        elif "L" in t:
            p["subsidy"] = s if s is not None else 0.5
            cap = int(90 * (1 - p["subsidy"]) + 1e-9)
            p["bs"] = rng.randint(max(cap - 5, 20), cap) / 100
            p["inv_group"] = "low"
        else:
            p["subsidy"] = s if s is not None else 0.0
            p["bs"] = rng.randint(75, 90) / 100
            p["inv_group"] = "high"
        p["fee_ratio"] = 0.0
        return
    p["bs"] = 0.0
    if s is None:
        s = 0.0
        if p["kind"] in ("D", "N") and p["bureau"] in ("hoken_fukushi", "kodomo_katei",
                                                     "kenko_fukushi", "kodomo"):
            if rng.random() < 0.3:
                s = rng.choice([0.25, 0.33, 0.5])
    p["subsidy"] = s
    f = tagval(t, "f")
    if f is None:
        f = 0.0
        if p["kind"] == "D" and ("管理運営" in p["name"]) and rng.random() < 0.5:
            f = r2(rng.uniform(0.03, 0.2))
    else:
        f = max(0.0, min(f * rng.uniform(0.85, 1.1), 1 - s - 0.01))
    p["fee_ratio"] = f


def build(city, n_target, targets, rng):
    progs = expand(city, rng)
    for p in progs:
        p["city"] = city
    # trim discretionary/investment programs to the wanted count, keeping every cluster,
    # every bureau and every kind represented
    n_extra = len(progs) - n_target
    if n_extra < 0:
        sys.exit(f"{city}: only {len(progs)} template programs, need {n_target}")
    removable = [p for p in progs if p["kind"] in ("D", "I")
                 and not ({"Z", "M"} & set(p["tags"]))]
    rng.shuffle(removable)
    removed = set()
    for p in removable:
        if len(removed) == n_extra:
            break
        rest = [q for q in progs if id(q) not in removed and q is not p]
        if city == "kk" and p["cluster"] is not None and \
                not any(q["cluster"] == p["cluster"] for q in rest):
            continue
        if sum(1 for q in rest if q["bureau"] == p["bureau"] and q["kind"] == "D") < 3:
            continue
        if p["kind"] == "I" and sum(1 for q in rest if q["kind"] == "I") < targets["n_inv_min"]:
            continue
        removed.add(id(p))
    progs = [p for p in progs if id(p) not in removed]
    assert len(progs) == n_target, (city, len(progs))

    # ids in bureau order
    order = {b: i for i, (b, _) in enumerate(KK_BUREAUS if city == "kk" else KM_BUREAUS)}
    kind_order = {"P": 0, "A": 1, "B": 2, "D": 3, "I": 4, "N": 5}
    progs.sort(key=lambda p: (order[p["bureau"]], kind_order[p["kind"]]))
    prefix = "K" if city == "kk" else "M"
    for i, p in enumerate(progs, 1):
        p["id"] = f"{prefix}{i:04d}"
    names = [p["name"] for p in progs]
    dup = {n for n in names if names.count(n) > 1}
    assert not dup, dup

    # funding mix
    for p in progs:
        funding_mix(p, rng)

    # amounts by bucket
    T = targets
    for k in ("P", "A", "B"):
        scale_to([p for p in progs if p["kind"] == k], T[k], rng, noise=0.15)
    for p in progs:
        if p["kind"] == "N":
            p["req"] = int(round(OKU * 10 ** rng.uniform(-0.3, 0.7) / 1000)) * 1000
    inv = [p for p in progs if p["kind"] == "I"]
    scale_to(inv, T["I"], rng, noise=0.4)
    # two-group solve so that Σ inv = I and Σ inv×bs = BONDS
    hi = [p for p in inv if p["inv_group"] == "high"]
    lo = [p for p in inv if p["inv_group"] == "low"]
    Ha, Hb = sum(p["req"] for p in hi), sum(p["req"] * p["bs"] for p in hi)
    La, Lb = sum(p["req"] for p in lo), sum(p["req"] * p["bs"] for p in lo)
    # α Ha + β La = I ; α Hb + β Lb = BONDS
    det = Ha * Lb - La * Hb
    alpha = (T["I"] * Lb - La * T["BONDS"]) / det
    beta = (Ha * T["BONDS"] - T["I"] * Hb) / det
    assert alpha > 0 and beta > 0, (alpha, beta)
    for p in hi:
        p["req"] = int(round(p["req"] * alpha))
    for p in lo:
        p["req"] = int(round(p["req"] * beta))
    # exact investment total via a no-bond investment program
    z = max((p for p in lo if p["bs"] == 0), key=lambda p: p["req"])
    z["req"] += T["I"] - sum(p["req"] for p in inv)
    # exact bond total (units: 千円 × 1/100) via a pair with bondable shares b and b+0.01
    units = lambda: sum(p["req"] * round(p["bs"] * 100) for p in progs if "req" in p)
    r = T["BONDS"] * 100 - units()
    by_b = {}
    for p in hi:
        by_b.setdefault(round(p["bs"] * 100), p)
    pair = next(((by_b[b], by_b[b + 1]) for b in sorted(by_b) if b + 1 in by_b), None)
    assert pair, "no adjacent bondable-share pair"
    a, b = pair
    a["req"] -= r
    b["req"] += r
    assert units() == T["BONDS"] * 100

    # discretionary bucket takes the rest; mandatory exact where required
    if "MANDATORY" in T:
        mand = [p for p in progs if p["kind"] in ("P", "A", "B")]
        fix = max((p for p in mand if p["kind"] == "A"), key=lambda p: p["req"])
        fix["req"] += T["MANDATORY"] - sum(p["req"] for p in mand)
    fixed = sum(p["req"] for p in progs if p["kind"] != "D")
    disc = [p for p in progs if p["kind"] == "D"]
    scale_to(disc, T["TOTAL"] - fixed, rng, noise=0.35)
    fixd = max(disc, key=lambda p: p["req"])
    fixd["req"] += T["TOTAL"] - sum(p["req"] for p in progs)

    # archetypes, attributes, KPIs
    n = len(progs)
    counts = [("expand", round(0.09 * n)), ("improve", round(0.05 * n)),
              ("reduce", round(0.08 * n)), ("merge", round(0.025 * n)),
              ("abolish", round(0.02 * n)), ("complete", round(0.01 * n))]
    assign_archetypes(progs, rng, counts)
    # a few programs that private providers could take over
    for p in rng.sample([q for q in progs if q["kind"] == "D" and q["arch"] == "continue"],
                        round(0.025 * n)):
        p["outsource_candidate"] = True
    for p in progs:
        viewpoint_attrs(p, rng)
        kpi_values(p, rng)
    # overlaps: each merge candidate points at a continuing program with the same purpose
    for p in progs:
        p["overlap_with"] = ""
        if p["arch"] != "merge":
            continue
        same = [q for q in progs if q is not p and q["kind"] in ("D", "I")
                and q["arch"] == "continue" and q["bureau"] == p["bureau"]
                and (city == "km" or q["cluster"] == p["cluster"])]
        if not same:
            same = [q for q in progs if q is not p and q["kind"] in ("D", "I")
                    and q["arch"] == "continue" and q["bureau"] == p["bureau"]]
        p["overlap_with"] = rng.choice(same)["id"]

    # prior cost: change vs prior year depends on the kind and the latent direction
    for p in progs:
        if p["kind"] == "N":
            p["prior"] = 0
            continue
        if p["kind"] in ("P", "A", "B"):
            d = rng.uniform(-0.03, 0.06)
        elif p["kind"] == "I":
            d = rng.uniform(-0.15, 0.15)
        elif p["arch"] == "expand":
            d = rng.uniform(0.04, 0.15)
        elif p["arch"] in ("reduce", "abolish", "complete"):
            d = rng.uniform(-0.08, 0.02)
        else:
            d = rng.uniform(-0.05, 0.07)
        p["delta"] = d
    # calibrate the prior-year total
    lo_, hi_ = -0.5, 0.5
    for _ in range(60):
        shift = (lo_ + hi_) / 2
        tot = sum(int(round(p["req"] / (1 + min(0.15, max(-0.15, p["delta"] + shift)))))
                  for p in progs if p["kind"] != "N")
        if tot > T["PRIOR"]:
            lo_ = shift
        else:
            hi_ = shift
    for p in progs:
        if p["kind"] != "N":
            d = min(0.15, max(-0.15, p["delta"] + shift))
            p["prior"] = int(round(p["req"] / (1 + d)))

    # fees and natural savings from the final request
    for p in progs:
        p["fees"] = int(p["req"] * p["fee_ratio"])
        ns = 0
        if p["kind"] == "I" and rng.random() < 0.4:
            ns = int(p["req"] * rng.uniform(0.005, 0.04))
        elif p["kind"] == "D" and rng.random() < 0.08:
            ns = int(p["req"] * rng.uniform(0.002, 0.02))
        p["natural_savings"] = ns
        assert p["subsidy"] + p["fees"] / p["req"] + p["bs"] <= 1 + 1e-12, p["name"]
        assert p["req"] > 0, p["name"]

    # strategy / next generation / all-or-nothing
    strat_of = {"E": "earning", "H": "high_quality", "S": "safety"}
    bureau_default = {"sangyo_keizai": "earning", "keizai_kanko": "earning", "toshi_brand": "earning",
                      "kowan_kuko": "earning", "shobo": "safety", "kiki_kanri": "safety",
                      "kodomo_katei": "high_quality", "kodomo": "high_quality",
                      "kyoiku": "high_quality", "shimin_bunka_sports": "high_quality",
                      "bunka_shimin": "high_quality", "kankyo": "high_quality",
                      "hoken_fukushi": "safety", "kenko_fukushi": "safety",
                      "toshi_seibi": "safety", "kensetsu": "safety", "toshi_kensetsu": "safety",
                      "nosui": "earning"}
    for p in progs:
        s = next((strat_of[t] for t in p["tags"] if t in strat_of), "")
        if not s and p["kind"] in ("D", "I", "N") and rng.random() < 0.3:
            s = bureau_default.get(p["bureau"], "")
        p["strategy"] = s
        p["all_or_nothing"] = p["kind"] == "N" and rng.random() < 0.85
    # 次世代投資枠: most new initiatives plus a limited set of existing programs
    # (expanding ones first) among those tagged G
    for p in progs:
        p["next_generation"] = p["kind"] == "N" and ("G" in p["tags"] or rng.random() < 0.5)
    existing = [p for p in progs if p["kind"] != "N" and "G" in p["tags"]]
    existing.sort(key=lambda p: (p["arch"] != "expand", p["id"]))
    for p in existing[:targets["n_nextgen_existing"]]:
        p["next_generation"] = True
    return progs


def money(k):
    return f"{k:,}千円"


def write_csv(path, progs, city):
    kind_name = {"P": "mandatory", "A": "mandatory", "B": "mandatory", "D": "discretionary",
                 "I": "investment", "N": "new"}
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(HEADER)
        for p in progs:
            def opt(x):
                return "" if x is None else (str(x) if isinstance(x, int) else fmt_dec(x))
            w.writerow([
                p["id"], p["name"], p["bureau"],
                "" if city == "km" or p["cluster"] is None else p["cluster"],
                kind_name[p["kind"]], money(p["prior"]), money(p["req"]),
                fmt_dec(p["subsidy"]), money(p["fees"]), fmt_dec(p["bs"]), p["strategy"],
                str(p["next_generation"]).lower(), str(p["all_or_nothing"]).lower(),
                fmt_dec(p["demand_trend"]), fmt_dec(p["satisfaction"]), p["overlap_with"],
                fmt_dec(p["service_level"]), opt(p["digital_share"]),
                fmt_dec(p["private_capacity"]), str(p["outsourced"]).lower(),
                money(p["natural_savings"]), p["kpi_indicator"], opt(p["kpi_baseline"]),
                opt(p["kpi_target"]), opt(p["kpi_actual"]), p["kpi_direction"],
            ])


def report(label, progs, bureaus):
    def oku(k):
        return f"{k / OKU:,.2f}億円"
    tot = sum(p["req"] for p in progs)
    print(f"== {label}: {len(progs)} programs")
    print(f"  Σ requested                 {oku(tot)}  ({tot:,}千円)")
    print(f"  Σ prior_cost                {oku(sum(p['prior'] for p in progs))}")
    for k, lab in (("P", "personnel"), ("A", "social assistance + statutory transfers"),
                   ("B", "debt service")):
        print(f"  Σ requested {lab:<40}{oku(sum(p['req'] for p in progs if p['kind'] == k))}")
    mand = sum(p["req"] for p in progs if p["kind"] in "PAB")
    print(f"  Σ requested mandatory       {oku(mand)}  ({mand / tot:.1%})")
    print(f"  Σ requested investment      {oku(sum(p['req'] for p in progs if p['kind'] == 'I'))}")
    print(f"  Σ requested new ({sum(1 for p in progs if p['kind'] == 'N')})        "
          f"{oku(sum(p['req'] for p in progs if p['kind'] == 'N'))}")
    print(f"  Σ requested discretionary   {oku(sum(p['req'] for p in progs if p['kind'] == 'D'))}")
    units = sum(p["req"] * round(p["bs"] * 100) for p in progs)  # 千円/100 = 10円
    print(f"  Σ requested×bondable_share  {oku(units / 100)}  ({units * 10:,}円)")
    # G = Σ requested×(1 − subsidy − bondable) − Σ fees, exact in yen
    g_yen = sum(p["req"] * 10 * (100 - round(p["subsidy"] * 100) - round(p["bs"] * 100))
                - p["fees"] * 1000 for p in progs)
    print(f"  G (general revenue needed)  {g_yen / 1e8:,.2f}億円 -> {round(g_yen / 1e8):,}億円")
    print(f"  Σ fees {oku(sum(p['fees'] for p in progs))}, Σ natural_savings "
          f"{oku(sum(p['natural_savings'] for p in progs))}")
    ng = [p for p in progs if p["next_generation"]]
    print(f"  next_generation programs    {len(ng)}, Σ {oku(sum(p['req'] for p in ng))}")
    print(f"  overlap_with set            {sum(1 for p in progs if p['overlap_with'])}")
    arch = {}
    for p in progs:
        arch[p["arch"]] = arch.get(p["arch"], 0) + 1
    print(f"  latent review outcomes      {arch}")
    print("  bureaus: " + ", ".join(f"{b}({sum(1 for p in progs if p['bureau'] == b)})"
                                    for b, _ in bureaus))
    return g_yen


def main():
    os.makedirs(OUT, exist_ok=True)

    rng = random.Random(SEED)
    kk = build("kk", 600, dict(
        TOTAL=647_684_000, I=64_400_000, BONDS=37_500_000, P=100_000_000, A=190_000_000,
        B=90_000_000, PRIOR=643_500_000, n_inv_min=100, n_nextgen_existing=16), rng)
    clusters = {p["cluster"] for p in kk if p["cluster"] is not None}
    assert clusters == set(range(1, 58)), sorted(set(range(1, 58)) - clusters)
    assert {p["bureau"] for p in kk} == {b for b, _ in KK_BUREAUS}
    write_csv(os.path.join(OUT, "kitakyushu-r8-programs.csv"), kk, "kk")
    report("Kitakyushu FY2026 (kitakyushu-r8-programs.csv)", kk, KK_BUREAUS)

    rng = random.Random(SEED + 1)
    km = build("km", 300, dict(
        TOTAL=437_800_000, MANDATORY=260_300_000, I=54_000_000, BONDS=33_900_000,
        P=78_000_000, A=138_000_000, B=44_300_000, PRIOR=419_300_000, n_inv_min=45, n_nextgen_existing=8), rng)
    assert {p["bureau"] for p in km} == {b for b, _ in KM_BUREAUS}
    write_csv(os.path.join(OUT, "kumamoto-r8-programs.csv"), km, "km")
    report("Kumamoto FY2026 (kumamoto-r8-programs.csv)", km, KM_BUREAUS)


if __name__ == "__main__":
    main()
